; The collector under a wide live heap: LIVE-MB megabytes of long-lived binary trees
; (2 MB each), while short-lived trees of every depth from 4 to 16 are built, checked and
; dropped until about COLLECTIONS collections have run.
;   rudo-scheme --gc-stats benches/gc/binary-trees.scm LIVE-MB COLLECTIONS
(define args (command-line))
(define live-mb (string->number (list-ref args 1)))
(define collections (string->number (list-ref args 2)))

(define (make-tree d) (if (= d 0) (cons '() '()) (cons (make-tree (- d 1)) (make-tree (- d 1)))))
(define (check t) (if (null? (car t)) 1 (+ 1 (check (car t)) (check (cdr t)))))

(define long-lived
  (let loop ((k (quotient live-mb 2)) (acc '()))
    (if (= k 0) acc (loop (- k 1) (cons (make-tree 16) acc)))))

; Each collection comes after about as many bytes as are live (growth factor 2).
(define garbage-pairs (* collections live-mb 65536))
(let loop ((made 0) (depth 4) (sum 0))
  (if (< made garbage-pairs)
      (loop (+ made (expt 2 (+ depth 1))) (if (= depth 16) 4 (+ depth 1)) (+ sum (check (make-tree depth))))
      (begin (display sum) (newline))))
(display (apply + (map check long-lived)))
(newline)
