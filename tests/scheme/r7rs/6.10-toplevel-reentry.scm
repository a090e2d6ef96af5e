;; Re-entering a continuation that an earlier top-level form captured finishes that
;; form and goes on with the forms after it: the rest of the program (R7RS 6.10).
(import (scheme base) (scheme write))
(define k #f)
(define n 0)
(display "start") (newline)
(display (+ 100 (call/cc (lambda (c) (set! k c) 1)))) (newline)
(set! n (+ n 1))
(display (list 'after n)) (newline)
(if (< n 3) (k n))
(display "end") (newline)
