;; SRFI 133, with the examples of its document.
(import (scheme base) (scheme write) (scheme char) (srfi 133))
(define (show . xs) (for-each (lambda (x) (write x) (display " ")) xs) (newline))

; Constructors
(show (vector-unfold (lambda (i x) (values x (- x 1))) 10 0)
      (vector-unfold values 5)
      (vector-unfold-right (lambda (i x) (values x (+ x 1))) 5 0))
(show (vector-reverse-copy #(5 4 3 2 1 0) 1 5) (vector-concatenate '(#(a b) #(c d)))
      (vector-append-subvectors #(a b c d e) 0 2 #(f g h i j) 2 4))
; Predicates
(show (vector-empty? #()) (vector-empty? #(a)) (vector= eq? #(a b c d) #(a b c d))
      (vector= eq? #(a b c d) #(a b d c)) (vector= = #(1 2 3 4 5) #(1 2 3 4)) (vector= eq?))
; Iteration
(show (vector-fold (lambda (len str) (max (string-length str) len)) 0 #("baz" "qux" "quux"))
      (vector-fold (lambda (tail elt) (cons elt tail)) '() #(1 2 3))
      (vector-fold (lambda (counter n) (if (even? n) (+ counter 1) counter)) 0 #(1 2 3 4 5)))
(show (vector-fold-right (lambda (tail elt) (cons elt tail)) '() #(a b c d))
      (vector-map (lambda (x) (* x x)) (vector-unfold (lambda (i x) (values x (+ x 1))) 4 1))
      (vector-map (lambda (x y) (* x y)) #(1 2 3 4 5) #(5 4 3 2 1 0)))
(show (let ((v (vector 1 2 3))) (vector-map! (lambda (x) (* x 10)) v) v)
      (vector-count even? #(3 1 4 1 5 9 2 5 6)) (vector-count < #(1 3 6 9) #(2 4 6 8 10 12))
      (vector-cumulate + 0 #(3 1 4 1 5 9 2 5 6)))
; Searching
(show (vector-index even? #(3 1 4 1 5 9)) (vector-index < #(3 1 4 1 5 9 2 5 6) #(2 7 1 8 2))
      (vector-index = #(3 1 4 1 5 9 2 5 6) #(2 7 1 8 2)))
(show (vector-index-right odd? #(3 1 4 1 5 9 6)) (vector-skip number? #(1 2 a b 3 4 c d))
      (vector-skip-right number? #(1 2 a b 3 4 c d)))
(show (vector-binary-search #(1 3 5 7 9) 7 -) (vector-binary-search #(1 3 5 7 9) 4 -)
      (vector-any even? #(1 3 4)) (vector-any < #(3 1 4) #(2 7 1)) (vector-every odd? #(1 3 5))
      (vector-every (lambda (x) (and (> x 0) x)) #(1 2 3)))
(show (call-with-values (lambda () (vector-partition even? #(1 2 3 4 5 6))) list))
; Mutators
(define v (vector 'a 'b 'c 'd 'e))
(vector-swap! v 0 4)
(show v)
(vector-reverse! v)
(show v (let ((w (vector 1 2 3 4 5))) (vector-reverse! w 1 4) w))
(show (let ((w (make-vector 5 0))) (vector-reverse-copy! w 1 #(1 2 3 4 5) 0 3) w)
      (let ((w (make-vector 5 0))) (vector-unfold! (lambda (i) (* i i)) w 1 4) w)
      (let ((w (make-vector 5 0))) (vector-unfold-right! (lambda (i s) (values s (+ s 1))) w 1 4 10) w))
; Conversion
(show (reverse-vector->list #(1 2 3)) (reverse-vector->list #(1 2 3 4) 1 3) (reverse-list->vector '(1 2 3))
      (vector->string #(#\a #\b)) (string->vector "abc"))
