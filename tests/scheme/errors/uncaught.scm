; An uncaught error ends a script with status 70, its position and a backtrace.
(define (inner x) (vector-ref x 5))
(define (middle x) (+ 1 (inner x)))
(define (outer) (middle (vector 1 2)))
(display "before")
(newline)
(outer)
(display "not reached")
