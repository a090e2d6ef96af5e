; A first program: run it with `cargo run --release -- examples/hello.scm`.
(define (greet name)
  (string-append "Hello, " name "!"))
(display (greet "Scheme"))
(newline)

; Tail calls loop in constant space; exact integers grow as large as they need.
(define (factorial n)
  (let loop ((n n) (acc 1))
    (if (= n 0) acc (loop (- n 1) (* acc n)))))
(display "30! = ")
(display (factorial 30))
(newline)

; Every value lives in rudo-gc's heap. Make some garbage, collect, and ask the collector.
(define (churn n) (if (= n 0) '() (cons (make-vector 8 n) (churn (- n 1)))))
(churn 100000)
(collect)
(for-each
 (lambda (key)
   (display key)
   (display ": ")
   (display (cdr (assq key (gc-stats))))
   (newline))
 '(collections live-bytes heap-bytes pause-max-us))
