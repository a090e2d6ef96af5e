;; A stand-in for chibi-scheme's (chibi test), enough to run its
;; tests/r7rs-tests.scm: each assertion counts as a pass or a failure,
;; failures are written with what was expected and what came, and
;; `test-end` of the outermost group prints the totals.
(define-library (chibi test)
  (export test test-assert test-values test-error test-begin test-end
          test-equal? current-test-epsilon)
  (import (scheme base) (scheme write) (scheme complex) (scheme inexact))
  (begin
    (define current-test-epsilon (make-parameter 1e-5))
    (define passes 0)
    (define failures 0)
    (define groups '())

    (define (close-enough? expect result)
      (let ((e (current-test-epsilon)))
        (cond ((> (abs expect) (abs result)) (close-enough? result expect))
              ((zero? expect) (< (abs result) e))
              (else (< (abs (/ (- expect result) result)) e)))))

    ;; Equal, or inexact numbers within the epsilon, part by part for
    ;; complex ones.
    (define (test-equal? expect result)
      (or (equal? expect result)
          (if (real? expect)
              (and (inexact? expect) (real? result)
                   (close-enough? expect result))
              (and (number? expect) (number? result)
                   (test-equal? (real-part expect) (real-part result))
                   (test-equal? (imag-part expect) (imag-part result))))))

    (define (write-line . items)
      (for-each (lambda (x) (if (string? x) (display x) (write x))) items)
      (newline))

    (define (pass!) (set! passes (+ passes 1)))
    (define (fail! . why)
      (set! failures (+ failures 1))
      (apply write-line "FAIL " (if (pair? groups) (car groups) "") ": " why))

    ;; Runs THUNK; gives (ok . value) or (error . condition).
    (define (attempt thunk)
      (call/cc
       (lambda (k)
         (with-exception-handler
          (lambda (c) (k (cons 'error c)))
          (lambda () (cons 'ok (thunk)))))))

    (define (describe-error c)
      (if (error-object? c)
          (cons (error-object-message c) (error-object-irritants c))
          c))

    (define (check name expect thunk)
      (let ((outcome (attempt thunk)))
        (cond ((eq? (car outcome) 'error)
               (fail! name " raised " (describe-error (cdr outcome))))
              ((test-equal? expect (cdr outcome)) (pass!))
              (else (fail! name " expected " expect " but got " (cdr outcome))))))

    (define (check-error name thunk)
      (if (eq? (car (attempt thunk)) 'error)
          (pass!)
          (fail! name " raised no error")))

    (define-syntax test
      (syntax-rules ()
        ((_ expect expr) (test 'expr expect expr))
        ((_ name expect expr) (check name expect (lambda () expr)))))

    (define-syntax test-assert
      (syntax-rules ()
        ((_ expr) (test-assert 'expr expr))
        ((_ name expr) (check name #t (lambda () (if expr #t #f))))))

    (define-syntax test-values
      (syntax-rules ()
        ((_ expect expr)
         (test 'expr
               (call-with-values (lambda () expect) list)
               (call-with-values (lambda () expr) list)))))

    (define-syntax test-error
      (syntax-rules ()
        ((_ expr) (check-error 'expr (lambda () expr)))
        ((_ name expr) (check-error name (lambda () expr)))))

    (define (test-begin . name)
      (set! groups (cons (if (pair? name) (car name) "") groups)))

    (define (test-end . name)
      (when (pair? groups) (set! groups (cdr groups)))
      (when (null? groups)
        (write-line passes " passed, " failures " failed, of "
                    (+ passes failures) " assertions")))))
