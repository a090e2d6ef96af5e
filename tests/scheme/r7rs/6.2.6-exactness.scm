;; Comparing inexact with exact numbers is exact, so `=` and `<` stay transitive
;; (R7RS 6.2.6); and the exponent markers s, f, d and l read as e does (7.1.1).
(define (show . xs) (for-each (lambda (x) (write x) (display " ")) xs) (newline))

(define big 9007199254740993)
(show (= 9007199254740992.0 big) (< 9007199254740992.0 big) (> big 9007199254740992.0))
(show (= 9007199254740992.0 9007199254740992) (<= 0.1 1/10) (> 0.1 1/10))
(let ((a 9007199254740992.0) (b 9007199254740992) (c 9007199254740993))
  (show (= a b) (= b c) (= a c)))
(show (< -inf.0 (- (expt 10 400)) (expt 10 400) +inf.0) (= +nan.0 1) (< 1 +nan.0))
(show (max 1 2.0) (min 9007199254740993 9007199254740992.0))

(show 1s2 1f2 1d2 1l2 1S2 1L-1 -2.5d1 #e1f3 .5s1)
(show (string->number "1e2") (string->number "1s2") (string->number "1x2"))
(show 1e21 1e-7 5e-324 123.456)
