;; SRFI 1, with the examples of its document.
(import (scheme base) (scheme write) (srfi 1))
(define (show . xs) (for-each (lambda (x) (write x) (display " ")) xs) (newline))

; Constructors
(show (xcons '(b c) 'a) (cons* 1 2 3 4) (make-list 4 'c) (list-tabulate 4 values))
(show (iota 5) (iota 5 0 -1) (iota 3 1/2) (let ((c (circular-list 'z 'q))) (list (car c) (cadr c) (caddr c))))
; Predicates
(show (proper-list? '(1 2)) (proper-list? '(1 . 2)) (circular-list? (circular-list 1)) (dotted-list? '(1 . 2)))
(show (null-list? '()) (not-pair? 5) (list= eq?) (list= eq? '(a)) (list= = '(1 2) '(1 2) '(1 2)) (list= = '(1 2) '(1 3)))
; Selectors
(show (first '(1 2 3 4 5 6 7 8 9 10)) (fifth '(1 2 3 4 5 6 7 8 9 10)) (tenth '(1 2 3 4 5 6 7 8 9 10)))
(show (take '(a b c d e) 2) (drop '(a b c d e) 2) (take '(1 2 3 . d) 2) (drop '(1 2 3 . d) 3))
(show (take-right '(a b c d e) 2) (drop-right '(a b c d e) 2) (take-right '(1 2 3 . d) 2) (drop-right '(1 2 3 . d) 2))
(show (call-with-values (lambda () (split-at '(a b c d e f g h) 3)) list) (last '(1 2 3)) (last-pair '(1 2 3)))
(show (call-with-values (lambda () (car+cdr '(1 . 2))) list))
; Miscellaneous
(show (length+ '(1 2 3)) (length+ (circular-list 1 2)) (concatenate '((1) (2 3) ())) (append-reverse '(3 2 1) '(4 5)))
(show (zip '(one two three) '(1 2 3) '(odd even odd even odd even odd even)) (zip '(1 2 3)))
(show (call-with-values (lambda () (unzip2 '((1 one) (2 two) (3 three)))) list))
(show (count even? '(3 1 4 1 5 9 2 5 6)) (count < '(1 2 4 8) '(2 4 6 8 10 12 14 16)))
; Fold, unfold and map
(show (fold + 0 '(1 2 3)) (fold cons '() '(a b c)) (fold cons* '() '(a b c) '(1 2 3 4 5)))
(show (fold-right cons '() '(a b c)) (fold-right cons* '() '(a b c) '(1 2 3 4 5)))
(show (pair-fold cons '() '(a b c)) (pair-fold-right cons '() '(a b c)))
(show (reduce + 0 '(1 2 3 4)) (reduce max 0 '()) (reduce-right append '() '((1 2) (3) (4 5))))
(show (unfold (lambda (x) (> x 10)) (lambda (x) (* x x)) (lambda (x) (+ x 1)) 1))
(show (unfold null-list? car cdr '(1 2 3) (lambda (x) 'end)) (unfold-right zero? (lambda (x) (* x x)) (lambda (x) (- x 1)) 10))
(show (append-map (lambda (x) (list x (- x))) '(1 3 8)) (filter-map (lambda (x) (and (number? x) (* x x))) '(a 1 b 3 c 7)))
(show (let ((acc '())) (pair-for-each (lambda (p) (set! acc (cons p acc))) '(1 2 3)) acc) (map-in-order + '(1 2) '(10 20)))
; Filtering and searching
(show (filter even? '(0 7 8 8 43 -4)) (remove even? '(0 7 8 8 43 -4)) (call-with-values (lambda () (partition symbol? '(one 2 3 four five 6))) list))
(show (find even? '(3 1 4 1 5 9)) (find-tail even? '(3 1 37 -8 -5 0 0)) (find-tail even? '(3 1 37 -5)))
(show (any integer? '(a 3 b 2.7)) (any < '(3 1 4 1 5) '(2 7 1 8 2)) (every integer? '()) (every (lambda (x) (and (> x 0) x)) '(1 2 3)))
(show (list-index even? '(3 1 4 1 5 9)) (list-index < '(3 1 4 1 5 9 2 5 6) '(2 7 1 8 2)) (list-index = '(3 1 4 1 5 9 2 5 6) '(2 7 1 8 2)))
(show (take-while even? '(2 18 3 10 22 9)) (drop-while even? '(2 18 3 10 22 9)))
(show (call-with-values (lambda () (span even? '(2 18 3 10 22 9))) list) (call-with-values (lambda () (break even? '(3 1 4 1 5 9 2 6))) list))
(show (member 2.0 '(1 2 3) =) (memv 101 '(100 101 102)))
; Deletion and association lists
(show (delete 5 '(1 5 2 5)) (delete 5 '(1 6 2 7) <) (delete-duplicates '(a b a c a b c z)) (delete-duplicates '((a . 3) (b . 7) (a . 9) (c . 1)) (lambda (x y) (eq? (car x) (car y)))))
(show (alist-cons 'a 1 '((b . 2))) (alist-copy '((a . 1))) (alist-delete 'a '((a . 1) (b . 2) (a . 3))))
; Sets
(show (lset<= eq? '(a) '(a b a) '(a b c c)) (lset= eq? '(b e a) '(a e b) '(e e b a)) (lset-adjoin eq? '(a b c d c e) 'a 'e 'i 'o 'u))
(show (lset-union eq? '(a b c d e) '(a e i o u)) (lset-union eq? '(a a c) '(x a x)) (lset-union eq?) (lset-union eq? '(a b c)))
(show (lset-intersection eq? '(a b c d e) '(a e i o u)) (lset-intersection eq? '(a x y a) '(x a x z)) (lset-difference eq? '(a b c d e) '(a e i o u)))
(show (lset-xor eq? '(a b c d e) '(a e i o u)) (call-with-values (lambda () (lset-diff+intersection eq? '(a b c d) '(c d e))) list))
