;; args: --max-heap 64M --
;; In the REPL the memory limit's error is reported and the REPL goes on, with the
;; heap usable.
(define (grow l) (grow (cons 1 l)))
(grow '())
(length (make-list 100000 0))
(grow '())
(+ 1 2)
