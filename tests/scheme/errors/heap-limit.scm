;; args: --max-heap 64M --
;; A program that holds more than its memory limit gets an error that `guard` can catch,
;; after a full collection; what the handler's unwinding drops is free again after it.
(define (grow l) (grow (cons 1 l)))
(display (guard (e ((error-object? e) (error-object-message e))) (grow '())))
(newline)
(display (length (make-list 100000 0)))
(newline)
;; Builtins that allocate at once check first, and collect before they refuse.
(define (churn n) (if (> n 0) (begin (make-vector 1000000 n) (churn (- n 1))) 'done))
(display (churn 40))
(newline)
(display (guard (e (#t (error-object-message e))) (make-vector 200000000)))
(newline)
(display (guard (e (#t (error-object-message e))) (make-list 100000000)))
(newline)
(display (guard (e (#t (error-object-message e))) (make-string 100000000 #\λ)))
(newline)
;; Unhandled, the error ends the script with status 70.
(grow '())
