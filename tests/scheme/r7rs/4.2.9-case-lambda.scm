; R7RS 4.2.9: case-lambda.
(define (t x) (write x) (newline))
(define plus
  (case-lambda
    (() 0)
    ((a) a)
    ((a b) (+ a b))
    ((a b . rest) (apply plus (+ a b) rest))))
(t (list (plus) (plus 1) (plus 1 2) (plus 1 2 3 4 5)))
(define range
  (case-lambda
    ((e) (range 0 e))
    ((b e) (do ((r '() (cons e r)) (e (- e 1) (- e 1))) ((< e b) r)))))
(t (range 3))
(t (range 3 5))
(define any-count (case-lambda (args (length args))))
(t (any-count 1 2 3))
(define two-only (case-lambda ((a b) 'two)))
(two-only 1)
