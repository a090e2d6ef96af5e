; Hash tables under collection: eq?, equal? and string tables stay right while their
; keys survive collections among garbage (the collector never moves a key, so eq?
; tables keep their hashes).
(define small? (member "small" (command-line)))
(define n (if small? 60 20000))

(define eq-table (make-hash-table eq?))
(define equal-table (make-hash-table))
(define string-table (make-hash-table string=?))
(define keys
  (let loop ((i 0) (acc '()))
    (if (= i n)
        acc
        (let ((k (list i (make-vector 3 i))))
          (hash-table-set! eq-table k i)
          (hash-table-set! equal-table (list i 'key) (* 2 i))
          (hash-table-set! string-table (number->string i) (* 3 i))
          ; Garbage between insertions.
          (make-vector 20 k)
          (loop (+ i 1) (cons k acc))))))
(collect)
(define (garbage k) (if (> k 0) (begin (make-string 50 #\g) (garbage (- k 1)))))
(garbage (if small? 10 50000))
(collect)

(define (check)
  (let loop ((ks keys) (sum 0) (bad 0))
    (if (null? ks)
        (list 'sum sum 'bad bad)
        (let* ((k (car ks)) (i (car k)))
          (loop (cdr ks)
                (+ sum (hash-table-ref eq-table k)
                   (hash-table-ref equal-table (list i 'key))
                   (hash-table-ref string-table (number->string i)))
                (if (and (= (hash-table-ref eq-table k) i)
                         (= (vector-ref (cadr k) 2) i)
                         (not (hash-table-contains? eq-table (list i (make-vector 3 i)))))
                    bad
                    (+ bad 1)))))))
(display (check))
(newline)
; Deleting half and collecting again.
(for-each (lambda (k) (if (even? (car k)) (hash-table-delete! eq-table k))) keys)
(collect)
(display (list (hash-table-size eq-table) (hash-table-size equal-table) (hash-table-size string-table)))
(newline)
