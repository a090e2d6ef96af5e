; A long-lived vector of SLOTS slots whose elements are replaced, ITERATIONS times, by
; new short lists at scattered indices: a cache, where every young object is reachable
; only from an old one.
;   <scheme> vector-cache.scm SLOTS ITERATIONS
(define (argument k) (string->number (list-ref (reverse (command-line)) k)))
(define slots (argument 1))
(define iterations (argument 0))

(define cache (make-vector slots '()))
(let loop ((i 0) (seed 1))
  (if (< i iterations)
      (let ((next (modulo (+ (* seed 1103515245) 12345) 2147483648)))
        (vector-set! cache (modulo next slots) (list i next i))
        (loop (+ i 1) next))))
(let loop ((k 0) (sum 0))
  (if (< k slots)
      (loop (+ k 1) (+ sum (length (vector-ref cache k))))
      (begin (display sum) (newline))))
