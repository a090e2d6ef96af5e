;; args: --trace
; Each instruction of the program as it runs, with the top of its frame: a call, a loop
; that becomes a jump, a tail call, and values shown short (a list, a vector, a long
; string). The prelude, which runs before the program, is not traced.
(define (count-down n) (let loop ((i n) (acc '())) (if (= i 0) acc (loop (- i 1) (cons i acc)))))
(define (last-of l) (if (null? (cdr l)) (car l) (last-of (cdr l))))
(display (last-of (count-down 2)))
(newline)
(vector-ref (make-vector 2 "a string longer than a trace shows") 1)
