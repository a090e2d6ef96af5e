;; (scheme complex) and the tower's arithmetic on complex numbers (R7RS 6.2.6).
(define (show . xs) (for-each (lambda (x) (write x) (display " ")) xs) (newline))

;; Literals, rectangular and polar, and how they are written.
(show 1+2i 1-2i -1+2i +i -i +2i -2i 1/2+3/4i 1.0+2i 1+2.0i +inf.0i +inf.0-inf.0i)
(show 1@0 (make-rectangular 1 2) (make-rectangular 1.5 -0.5) (make-polar 2 0))
(show #x10+11i #e1.5+2.5i #i1+i 1e2+1s1i 3+0i)
(show (exact? #e1@0.5) (real? #e1@0.5) #e2@0 #i1@0)
(show (string->number "1+2i") (string->number "-i") (string->number "2i")
      (number->string 1/2-i) (number->string 3+4i 2))

;; Predicates: an inexact zero imaginary part is not real.
(show (complex? 3+4i) (real? 3+4i) (real? -2.5+0i) (real? -2.5+0.0i) (integer? 3+0i))
(show (rational? 1+i) (exact? 1+2i) (inexact? 1.0+2i) (number? +i))
(show (nan? 1+2i) (nan? +nan.0+1.0i) (infinite? 3.0+inf.0i) (finite? 3.0+inf.0i) (zero? 0.0+0.0i))

;; Arithmetic: exact stays exact, and falls back to a real number when it can.
(show (+ 1+2i 1-2i) (* +i +i) (- 3/2+i) (/ 1+i 1-i) (* 2 1+i) (/ 1+i 2))
(show (+ 1+i 0.5) (* 2. +inf.0i) (square 1+i) (= 1 1.0 1.0+0.0i) (= 1.0 1.0+1.0i))
(show (eqv? 1+2i 1+2i) (eqv? 1.0+2i 1+2i) (equal? '(1+i) (list (make-rectangular 1 1))))

;; Parts, magnitude, angle.
(show (real-part 1+2i) (imag-part 1+2i) (real-part 2.5) (imag-part 2.5))
(show (magnitude 3+4i) (magnitude -5/2) (magnitude 1.0+1.0i) (angle 7) (angle -1) (angle +i))

;; Functions that leave the reals, and exact square roots.
(show (sqrt -4) (sqrt -1) (sqrt 16/9) (sqrt -4.0) (exact (sqrt -4.0)))
(show (log -1) (asin 2) (acos 2) (exp +3.141592653589793i))
(show (expt 1+i 2) (expt +i -1) (expt -8 1/3) (expt 2 +i) (expt 0 1+i))
(show (sin +i) (cos 1+i) (tan +i) (atan +2i))

;; Errors name the procedure and the argument.
(define (error-text thunk)
  (guard (e ((error-object? e) (error-object-message e))) (thunk)))
(show (error-text (lambda () (< 1+i 2))) (error-text (lambda () (max +i)))
      (error-text (lambda () (make-rectangular +i 1))) (error-text (lambda () (/ +i 0))))
