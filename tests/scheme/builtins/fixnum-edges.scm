;; The fixnum range's ends: results past them are bignums, never wrapped fixnums.
(define least -2305843009213693952)
(define most 2305843009213693951)
(for-each
 (lambda (x) (write x) (newline))
 (list (abs least) (- least) (magnitude least) (- 0 least) (* -1 least) (* least -1)
       (quotient least -1) (truncate-quotient least -1) (floor-quotient least -1)
       (- least 1) (+ most 1) (* most 2) (- (- least)) (exact (- (exact->inexact least)))
       (= (- least) (+ most 1)) (abs most) (- most) (gcd least 0) (lcm least 1)))
;; quotient, remainder and modulo of two fixnums run inline: every sign, the range's
;; ends, inexact integers, and a zero divisor, as the builtins give them.
(define (division-row a b)
  (write (list a b (quotient a b) (remainder a b) (modulo a b)))
  (newline))
(for-each
 (lambda (a) (for-each (lambda (b) (division-row a b)) (list 1 -1 4 -4 7 -7 most least)))
 (list 0 13 -13 most least 10.0 -6.0))
(write (guard (e ((error-object? e) (error-object-message e))) (modulo 1 0)))
(newline)
