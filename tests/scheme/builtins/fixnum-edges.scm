;; The fixnum range's ends: results past them are bignums, never wrapped fixnums.
(define least -2305843009213693952)
(define most 2305843009213693951)
(for-each
 (lambda (x) (write x) (newline))
 (list (abs least) (- least) (magnitude least) (- 0 least) (* -1 least) (* least -1)
       (quotient least -1) (truncate-quotient least -1) (floor-quotient least -1)
       (- least 1) (+ most 1) (* most 2) (- (- least)) (exact (- (exact->inexact least)))
       (= (- least) (+ most 1)) (abs most) (- most) (gcd least 0) (lcm least 1)))
