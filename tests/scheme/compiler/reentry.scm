;; A continuation captured in a binding form's initializer, re-entered in a procedure
;; whose locals are assigned: each re-entry binds the value it was given, and the
;; assignments made since stay made.
(define-syntax reentered
  (syntax-rules ()
    ((_ bind)
     (let ()
       (define k2 #f)
       (define n 0)
       (define acc '())
       (bind (v (call/cc (lambda (k) (set! k2 k) 'a)))
         (set! acc (cons v acc))
         (set! n (+ n 1))
         (if (< n 3) (k2 n))
         acc)))))
(define-syntax with-let
  (syntax-rules () ((_ (v init) body ...) (let ((v init)) body ...))))
(define-syntax with-let*
  (syntax-rules () ((_ (v init) body ...) (let* ((w 0) (v init)) body ...))))
(define-syntax with-letrec
  (syntax-rules () ((_ (v init) body ...) (letrec ((v init)) body ...))))
(define-syntax with-named-let
  (syntax-rules () ((_ (v init) body ...) (let loop ((v init)) body ...))))
(define-syntax with-let-values
  (syntax-rules () ((_ (v init) body ...) (let-values (((v) init)) body ...))))
(define-syntax with-lambda
  (syntax-rules () ((_ (v init) body ...) ((lambda (v) body ...) init))))
(define-syntax with-define
  (syntax-rules () ((_ (v init) body ...) (let () (define v init) body ...))))
(write (reentered with-let)) (newline)
(write (reentered with-let*)) (newline)
(write (reentered with-letrec)) (newline)
(write (reentered with-named-let)) (newline)
(write (reentered with-let-values)) (newline)
(write (reentered with-lambda)) (newline)
(write (reentered with-define)) (newline)

;; The same inside a procedure, as the report had it.
(define (t)
  (define k2 #f) (define n 0) (define acc '())
  (let ((v (call/cc (lambda (k) (set! k2 k) 'a))))
    (set! acc (cons v acc)) (set! n (+ n 1))
    (if (< n 3) (k2 n))
    acc))
(write (t)) (newline)

;; A do loop's variable captured by a continuation in its step.
(define (d)
  (define k2 #f) (define seen '())
  (do ((i 0 (+ i (call/cc (lambda (k) (set! k2 k) 1)))))
      ((>= i 4) (reverse seen))
    (set! seen (cons i seen))
    (if (= i 3) (k2 10))))
(write (d)) (newline)
