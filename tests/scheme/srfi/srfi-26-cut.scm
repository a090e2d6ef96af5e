;; SRFI 26, with the examples of its document; and a dotted template, which `cut`'s
;; definition relies on.
(import (scheme base) (scheme write) (srfi 26))
(define (show . xs) (for-each (lambda (x) (write x) (display " ")) xs) (newline))

(show ((cut cons (+ 1 1) <>) 3) ((cut list 1 <> 3 <> 5) 2 4) ((cut list)) ((cut list 1 <> 3 <...>) 2 4 5 6))
(show ((cut <> 1 2) +) (map (cut * 2 <>) '(1 2 3)) ((cut vector 'a <> 'c <...>) 'b 'd 'e))
; `cut` evaluates the other expressions at each call, `cute` once.
(define n 0)
(define (next!) (set! n (+ n 1)) n)
(define once (cute list (next!) <>))
(show (once 'a) (once 'b) n)
(define each (cut list (next!) <>))
(show (each 'a) (each 'b) n)
(define-syntax tail-template (syntax-rules () ((_ . args) (list 'first . args))))
(show (tail-template 1 2) (tail-template) '(1 . (2 3)) '(1 . ()))
