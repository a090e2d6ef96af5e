;; SRFI 26: `cut` and `cute`, procedures from a call with slots. `<>` is one argument,
;; a final `<...>` the rest; `cute` evaluates the other expressions once, when the
;; procedure is made.
(define-library (srfi 26)
  (export cut cute <> <...>)
  (import (scheme base))
  (begin
    (define-syntax <>
      (syntax-rules () ((_ . x) (syntax-error "<> outside cut or cute"))))
    (define-syntax <...>
      (syntax-rules () ((_ . x) (syntax-error "<...> outside cut or cute"))))

    (define-syntax %cut
      (syntax-rules (<> <...>)
        ((_ (slot ...) (proc arg ...))
         (lambda (slot ...) ((begin proc) arg ...)))
        ((_ (slot ...) (proc arg ...) <...>)
         (lambda (slot ... . rest) (apply proc arg ... rest)))
        ((_ (slot ...) (position ...) <> . more)
         (%cut (slot ... x) (position ... x) . more))
        ((_ (slot ...) (position ...) expr . more)
         (%cut (slot ...) (position ... expr) . more))))

    (define-syntax cut
      (syntax-rules () ((_ . call) (%cut () () . call))))

    (define-syntax %cute
      (syntax-rules (<> <...>)
        ((_ (slot ...) (binding ...) (proc arg ...))
         (let (binding ...) (lambda (slot ...) (proc arg ...))))
        ((_ (slot ...) (binding ...) (proc arg ...) <...>)
         (let (binding ...) (lambda (slot ... . rest) (apply proc arg ... rest))))
        ((_ (slot ...) (binding ...) (position ...) <> . more)
         (%cute (slot ... x) (binding ...) (position ... x) . more))
        ((_ (slot ...) (binding ...) (position ...) expr . more)
         (%cute (slot ...) (binding ... (x expr)) (position ... x) . more))))

    (define-syntax cute
      (syntax-rules () ((_ . call) (%cute () () () . call))))))
