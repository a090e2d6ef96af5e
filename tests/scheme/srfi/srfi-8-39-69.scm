;; SRFI 8 (receive), 39 (parameter objects) and 69 (hash tables), which rudo-scheme
;; has everywhere: importing them names what they define. The examples of their
;; documents.
(import (scheme base) (scheme write) (srfi 8) (srfi 39) (srfi 69))
(define (show . xs) (for-each (lambda (x) (write x) (display " ")) xs) (newline))

(show (receive (q r . rest) (values 1 2 3 4) (list q r rest)) (receive all (values) all)
      (receive (a) (values 'one) a))

(define radix (make-parameter 10))
(define prompt (make-parameter 123 (lambda (x) (if (string? x) x (number->string x 10)))))
(show (radix) (prompt) (parameterize ((radix 2) (prompt "> ")) (list (radix) (prompt))) (radix))
(show (parameterize ((prompt 7)) (prompt)))

(define h (make-hash-table equal?))
(hash-table-set! h '(1 2) 'list)
(hash-table-set! h "s" 'string)
(show (hash-table-ref h '(1 2)) (hash-table-ref/default h "t" 'none) (hash-table-exists? h "s")
      (hash-table-ref h 'missing (lambda () 'thunk)))
(hash-table-update!/default h 'n (lambda (x) (+ x 1)) 0)
(hash-table-update! h 'n (lambda (x) (* x 10)))
(define g (alist->hash-table '((a . 1) (b . 2)) eq?))
(hash-table-merge! g (alist->hash-table '((b . 20) (c . 30)) eq?))
(show (hash-table-ref h 'n) (hash-table-size g) (hash-table-ref g 'b)
      (hash-table-fold g (lambda (k v acc) (+ v acc)) 0) (hash-table? g) (hash-table? '()))
