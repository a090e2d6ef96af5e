; R7RS 6.11: raise, raise-continuable, with-exception-handler, error objects, and the
; errors of builtins as error objects.
(define (show . xs) (for-each write xs) (newline))

(show (call/cc (lambda (k)
  (with-exception-handler (lambda (e) (k (list 'caught e))) (lambda () (raise 'boom))))))
(show (with-exception-handler
  (lambda (con) (cond ((string? con) 'string) (else 42)))
  (lambda () (+ (raise-continuable 'not-a-string) 23))))
; Handlers nest; a handler runs with the outer handler installed.
(show (call/cc (lambda (k)
  (with-exception-handler
    (lambda (outer) (k (list 'outer outer)))
    (lambda ()
      (with-exception-handler
        (lambda (inner) (raise (list 'from-inner inner)))
        (lambda () (raise 'first))))))))
; Error objects.
(define (catch thunk)
  (call/cc (lambda (k) (with-exception-handler (lambda (e) (k e)) thunk))))
(define e (catch (lambda () (error "Something bad:" 1 "two" 'three))))
(show (error-object? e) (error-object-message e) (error-object-irritants e))
(show (error-object? 'sym) (error-object? (catch (lambda () (raise 1)))))
(show (read-error? e) (file-error? e))
; Builtin errors are error objects.
(for-each
  (lambda (thunk)
    (let ((e (catch thunk)))
      (show (error-object? e) (error-object-message e) (error-object-irritants e))))
  (list (lambda () (car 5))
        (lambda () (vector-ref (vector 1 2) 2))
        (lambda () ((lambda (x) x)))
        (lambda () (+ 'a 1))
        (lambda () (undefined-variable))
        (lambda () (apply + 1 2))
        (lambda () (string-ref "abc" 10))
        (lambda () (exact->inexact "x"))
        (lambda () (5 5))))
; A handler that returns from a non-continuable raise raises a secondary error in the
; handler's own environment, which the outer handler sees.
(show (catch (lambda () (with-exception-handler (lambda (e) 'ignored) (lambda () (raise 'x))))))
(define secondary (catch (lambda () (with-exception-handler (lambda (e) 'ignored) (lambda () (raise 'x))))))
(show (error-object? secondary) (error-object-message secondary) (error-object-irritants secondary))
; The handler stack unwinds with the escape.
(show (catch (lambda () (catch (lambda () (raise 'inner))) (raise 'after-inner))))
; raise-continuable returns the handler's value each time.
(show (with-exception-handler (lambda (n) (* n 10))
  (lambda () (list (raise-continuable 1) (raise-continuable 2)))))
; Handlers are called in the dynamic environment of the raise: dynamic-wind afters run
; only when the handler escapes.
(define trail '())
(call/cc (lambda (k)
  (with-exception-handler
    (lambda (e) (set! trail (cons (list 'handler e) trail)) (k #f))
    (lambda ()
      (dynamic-wind (lambda () (set! trail (cons 'in trail)))
                    (lambda () (raise 'oops))
                    (lambda () (set! trail (cons 'out trail))))))))
(show (reverse trail))
; Uncaught: a raise that no handler takes reports the original error and its position.
(with-exception-handler (lambda (e) 'returned) (lambda () (vector-ref (vector) 0)))
