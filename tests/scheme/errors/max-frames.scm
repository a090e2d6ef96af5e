;; args: --max-frames 3 --
;; A frame limit far below what the prelude needs still leaves a working Scheme: the
;; limit applies to the program, whose deep calls end in the usual error.
(display (+ 1 2))
(newline)
(define (f n) (if (= n 0) 0 (+ 1 (f (- n 1)))))
(display (f 1))
(newline)
(f 50)
