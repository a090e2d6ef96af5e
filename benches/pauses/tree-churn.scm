; A long-lived binary tree of depth LIVE-DEPTH (2^(LIVE-DEPTH+1) - 1 pairs), and ITERATIONS
; short-lived trees of depth 10 built and walked beside it: a young generation that dies
; young over an old one that never changes.
;   <scheme> tree-churn.scm LIVE-DEPTH ITERATIONS
(define (argument k) (string->number (list-ref (reverse (command-line)) k)))
(define live-depth (argument 1))
(define iterations (argument 0))

(define (make-tree d) (if (= d 0) (cons '() '()) (cons (make-tree (- d 1)) (make-tree (- d 1)))))
(define (count t) (if (null? (car t)) 1 (+ 1 (count (car t)) (count (cdr t)))))

(define long-lived (make-tree live-depth))
(let loop ((i 0) (sum 0))
  (if (< i iterations)
      (loop (+ i 1) (+ sum (count (make-tree 10))))
      (begin (display sum) (newline))))
(display (count long-lived))
(newline)
