;; Flonums on both sides of the edge between those held in a word and those boxed
;; (magnitudes near 1e-38 and 1e38, zeros, infinities, NaNs), through the inline
;; arithmetic of the VM and the builtins alike.
(define (show . xs) (for-each (lambda (x) (write x) (display " ")) xs) (newline))

(define tiny (expt 2. -126))
(define huge (expt 2. 128))
(show tiny (/ tiny 2) (* tiny 0.5) (* (/ tiny 2) 2) (= (* (/ tiny 2) 2) tiny))
(show huge (* huge 2) (+ huge huge) (/ (* huge 2) 2) (= (/ (* huge 2) 2) huge))
(show 1e300 (* 1e300 1e10) (- (* 1e300 1e10)) (- 1e300 1e300) 5e-324 (/ 5e-324 2))
(show 0. -0. (- 0.) (* -1. 0.) (+ -0. 0) (+ -0. -0.) (* 0 1.5) (- 1.5 1.5))
(show (eqv? 0. -0.) (eqv? -0. (- 0.)) (= 0. -0.) (eqv? 1.5 (+ 1. .5))
      (eqv? huge (* huge 1.)) (eqv? (* huge 2) (* huge 2)) (eqv? 1e300 (* 1e150 1e150)))
(define nan (/ 0. 0.))
(show (= nan nan) (< nan 1.) (> nan 1.) (eqv? nan nan) (nan? (* nan 0)))

;; Comparisons and arithmetic that mix fixnums and flonums: exact while the fixnum
;; fits a flonum's mantissa, through the builtins past it.
(define big 9007199254740993)
(show (< 1 1.5) (< 1.5 2) (= 2 2.) (<= 2. 2) (> -1 -1.5) (zero? 0.) (zero? -0.))
(show (+ 1 .5) (- 10 .25) (* 3 .5) (+ .5 big) (- big 1.) (< (- big 1) 9007199254740992.))
(let loop ((i 0) (x 0.) (y 1.))
  (if (< i 40)
      (loop (+ i 1) (+ x (* y .5)) (* y 3.))
      (show x y (exact (floor (/ y 1e18))))))

;; Flonums as keys: equal numbers hash alike however they are held.
(define table (make-hash-table eqv?))
(hash-table-set! table 1.5 'small)
(hash-table-set! table (* huge 2) 'huge)
(hash-table-set! table -0. 'negative-zero)
(show (hash-table-ref/default table (+ 1. .5) #f)
      (hash-table-ref/default table (+ huge huge) #f)
      (hash-table-ref/default table (- 0.) #f)
      (hash-table-ref/default table 0. #f)
      (memv (* huge 2) (list 1. (+ huge huge)))
      (assv 1.5 '((1.5 . found))))
(show (exact->inexact 1/3) (exact 2.5) (inexact 123456789012345678901234567890)
      (number->string 1.25e-7) (string->number "3.4e38") (string->number "3.5e38"))
