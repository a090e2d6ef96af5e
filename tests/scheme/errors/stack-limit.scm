;; args: --max-frames 1000
; Past the frame limit, deep recursion is a Scheme error, not a crash.
(define (depth n) (if (= n 0) 0 (+ 1 (depth (- n 1)))))
(display (depth 900))
(newline)
(depth 5000)
