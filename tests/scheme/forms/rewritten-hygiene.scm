;; The forms the compiler rewrites into others (let-values, guard, case-lambda,
;; parameterize, define-record-type, delay, receive) keep their meaning whatever the
;; program binds around them: local variables named like the procedures and keywords
;; they insert capture nothing.
(define (show x) (write x) (newline))
(show (let ((apply list)) (let-values (((a . rest) (values 1 2 3))) (list a rest))))
(show (let ((call/cc 5) (with-exception-handler 6)) (guard (e (#t (list 'caught e))) (raise 'x))))
(show (let ((raise-continuable #f) (cond 1) (else 2)) (guard (e ((string? e) e)) (guard (e2 ((number? e2) e2)) (raise "outer")))))
(show (let ((length car) (error list) (apply vector))
        ((case-lambda ((a) (list 'one a)) ((a b) (list 'two a b)) ((a . r) (list 'many a r))) 1 2 3)))
(define p (make-parameter 1))
(show (let ((list vector) (lambda 0)) (parameterize ((p 2)) (p))))
(show (let ((call-with-values #f) (let 5)) (receive (x . y) (values 1 2) (cons x y))))
(show (let ((%values-0 'mine)) (let-values (((a) (values %values-0))) a)))
(show (let ((%args 'mine)) ((case-lambda ((x) (list x %args))) 1)))
(show (let ((%result 'mine)) (guard (e (#t e)) %result)))
(define-record-type point (make-point x y) point? (x point-x) (y point-y))
(show (let ((obj 1) (%rtd 2) (%record? #f)) (point? (make-point obj %rtd))))
(show (let ((make-promise #f) (%make-promise #f)) (force (delay (+ 1 2)))))
(show (let ((begin 0) (define 0)) (define-values (q r) (floor/ 7 2)) (list q r)))
