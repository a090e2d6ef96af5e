;; A program that defines its own version of a standard procedure changes what its own
;; code calls, not what the prelude's procedures call.
(define (reverse! l) 'mine)
(display (map (lambda (x) (* x x)) '(1 2 3))) (newline)
(define (list->vector l) 'mine)
(display (vector-map + #(1 2) #(10 20))) (newline)
(define (apply . args) 'mine)
(display (guard (e (#t (list 'caught (error-object-message e)))) (error "boom"))) (newline)
(define (dynamic-wind before thunk after) 'mine)
(display (call-with-current-continuation (lambda (k) (guard (e (#t 'handled)) (raise 'x)))))
(newline)
(display (list (reverse! '(1 2)) (list->vector '()) (apply +) (dynamic-wind 1 2 3)))
(newline)
;; Assigning a standard name is the program's own business too.
(set! length (lambda (l) 'mine))
(display (list (length '(1 2)) (list-tail '(1 2 3) 1)))
(newline)
