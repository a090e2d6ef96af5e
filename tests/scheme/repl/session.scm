(define x 10)
(+ x 1)
(define (f n)
  (if (= n 0)
      'done
      (f (- n 1))))
(f 10)
"a string"
#\a
(list 1 "two" #\3)
(display "displayed")
(newline)
(if #f #f)
1 2 3
(values 1 "two")
(values)
;; The REPL sweeps what a collection left pending before it reads the next line.
(define big (make-list 300000 1))
(set! big #f)
(collect)
(pending-sweep-pages)
(exit 0)
(display "not reached")
