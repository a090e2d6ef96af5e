; R7RS 4.2.7: guard, with => clauses, else, and re-raise when no clause matches.
(define (show x) (write x) (newline))
(show (guard (condition ((assq 'a condition) => cdr) ((assq 'b condition)))
  (raise (list (cons 'a 42)))))
(show (guard (condition ((assq 'a condition) => cdr) ((assq 'b condition)))
  (raise (list (cons 'b 23)))))
(show (guard (e (#t 'caught)) 'no-exception))
(show (guard (e ((symbol? e) (list 'symbol e)) ((string? e) (list 'string e))) (raise "str")))
(show (guard (e (else (list 'else e))) (raise 1)))
(show (guard (e ((error-object? e) (error-object-message e))) (car '())))
(show (guard (e ((error-object? e) (list (error-object-message e) (error-object-irritants e))))
  (error "my error" 'a 2)))
; No clause matches: re-raised to the outer guard, in the dynamic environment of the raise.
(show (guard (outer (#t (list 'outer outer)))
  (guard (inner ((string? inner) 'inner)) (raise 'sym))))
(show (with-exception-handler
  (lambda (e) 10)
  (lambda () (+ 1 (guard (e ((string? e) 'no)) (raise-continuable 'c))))))
; The body's definitions, several values, and guard in a loop.
(show (guard (e (#t 'no)) (define x 20) (define y 22) (+ x y)))
(call-with-values (lambda () (guard (e (#t 'no)) (values 1 2))) (lambda (a b) (show (list a b))))
(show (let loop ((i 0) (caught 0))
  (if (= i 10000) caught
      (loop (+ i 1) (guard (e (#t (+ caught 1))) (if (even? i) (raise i) caught))))))
; dynamic-wind afters run on the way out of a guard.
(define trail '())
(show (guard (e (#t (set! trail (cons 'handled trail)) e))
  (dynamic-wind (lambda () (set! trail (cons 'in trail)))
                (lambda () (raise 'x))
                (lambda () (set! trail (cons 'out trail))))))
(show (reverse trail))
; Deep recursion, then a raise at the bottom.
(define (deep n) (if (= n 0) (raise 'bottom) (+ 1 (deep (- n 1)))))
(show (guard (e (#t e)) (deep 100000)))
; Errors of the reader and compiler at run time are not guard's to see; bad syntax is
; reported when the form is compiled.
(show (guard (e ((string? e) 'no)) (raise 'unhandled)))
