; A long-lived cache of results beside a stream of short-lived garbage.
(define small? (member "small" (command-line)))
(define n (if small? 300 300000))
(define slots 1024)

(define cache (make-vector slots '()))

(define (remember! key value)
  (let ((i (modulo key slots)))
    (vector-set! cache i (cons (cons key value) (vector-ref cache i)))))

(define (lookup key)
  (let ((entry (assv key (vector-ref cache (modulo key slots)))))
    (and entry (cdr entry))))

(let loop ((i 0))
  (when (< i n)
    ; Garbage: a list and a string that die at once.
    (let ((junk (list i (number->string i) (make-vector 3 i))))
      (when (= 0 (modulo i 10))
        (remember! i (list i (* i i) (car junk)))))
    (loop (+ i 1))))

(let loop ((i 0) (found 0) (sum 0))
  (if (< i n)
      (let ((v (lookup i)))
        (if v
            (loop (+ i 1) (+ found 1) (+ sum (cadr v)))
            (loop (+ i 1) found sum)))
      (begin
        (display (list 'found found 'sum sum))
        (newline))))
