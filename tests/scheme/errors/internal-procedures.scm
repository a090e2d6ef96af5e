;; The builtins that `define-record-type` and the prelude use are reachable by name, and
;; check their arguments like any other: wrong ones are errors, never a crash.
(define-record-type thing (make-thing a b) thing? (a thing-a) (b thing-b))
(define (try thunk)
  (display (guard (e ((error-object? e) (error-object-message e))) (thunk)))
  (newline))
(try (lambda () (%record-ref 'sym #\a '() car)))
(try (lambda () (%record-ref (make-thing 1 2) thing 5 'thing-a)))
(try (lambda () (%record-ref (make-thing 1 2) thing 'x 'thing-a)))
(try (lambda () (%record-set! (make-thing 1 2) 'not-a-type 0 3 'who)))
;; A record type's own first slot is #f, and #f is no record type.
(try (lambda () (%record-ref thing #f 0 'who)))
(try (lambda () (%record-set! thing #f 0 3 'who)))
(try (lambda () (%record? thing #f)))
(try (lambda () (%record 'x 1 2)))
(try (lambda () (%record thing 1)))
(try (lambda () (%make-record-type 'broken 5)))
(try (lambda () (thing-b (%record thing 1 2))))
