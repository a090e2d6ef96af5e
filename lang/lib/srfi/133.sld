;; SRFI 133: vector library. What R7RS already has (`vector-map`, `vector-copy!`,
;; `vector->list`, ...) is re-exported; procedures of several vectors stop at the
;; shortest.
(define-library (srfi 133)
  (export
   make-vector vector vector-unfold vector-unfold-right vector-copy vector-reverse-copy
   vector-append vector-concatenate vector-append-subvectors
   vector? vector-empty? vector= vector-ref vector-length
   vector-fold vector-fold-right vector-map vector-map! vector-for-each vector-count
   vector-cumulate vector-index vector-index-right vector-skip vector-skip-right
   vector-binary-search vector-any vector-every vector-partition
   vector-set! vector-swap! vector-fill! vector-reverse! vector-copy!
   vector-reverse-copy! vector-unfold! vector-unfold-right!
   vector->list reverse-vector->list list->vector reverse-list->vector
   string->vector vector->string)
  (import (scheme base))
  (begin
    ;; The length of the shortest of `vecs`.
    (define (shortest vecs) (apply min (map vector-length vecs)))

    ;; The elements at `i` of each of `vecs`.
    (define (refs vecs i) (map (lambda (v) (vector-ref v i)) vecs))

    ;; `(start end)` from the optional arguments of a procedure on `vec`.
    (define (range vec o)
      (let* ((start (if (pair? o) (car o) 0))
             (end (if (and (pair? o) (pair? (cdr o))) (cadr o) (vector-length vec))))
        (if (or (< start 0) (< end start) (> end (vector-length vec)))
            (error "vector range out of bounds" start end))
        (values start end)))

    ;; Fills `vec` from `start` to `end` (by `step`) with what `f` makes of each index
    ;; and the seeds, which it returns updated after the value.
    (define (unfold-into! f vec start end step seeds)
      (let loop ((i start) (seeds seeds))
        (unless (= i end)
          (call-with-values (lambda () (apply f i seeds))
            (lambda (value . seeds)
              (vector-set! vec i value)
              (loop (+ i step) seeds))))))

    (define (vector-unfold f n . seeds)
      (let ((v (make-vector n)))
        (unfold-into! f v 0 n 1 seeds)
        v))
    (define (vector-unfold-right f n . seeds)
      (let ((v (make-vector n)))
        (unfold-into! f v (- n 1) -1 -1 seeds)
        v))
    (define (vector-unfold! f vec start end . seeds)
      (unfold-into! f vec start end 1 seeds))
    (define (vector-unfold-right! f vec start end . seeds)
      (unfold-into! f vec (- end 1) (- start 1) -1 seeds))

    (define (vector-reverse-copy vec . o)
      (let-values (((start end) (range vec o)))
        (let ((v (vector-copy vec start end)))
          (vector-reverse! v)
          v)))
    (define (vector-reverse-copy! to at from . o)
      (let-values (((start end) (range from o)))
        (vector-copy! to at from start end)
        (vector-reverse! to at (+ at (- end start)))))
    (define (vector-concatenate vecs) (apply vector-append vecs))
    (define (vector-append-subvectors . specs)
      (let loop ((specs specs) (parts '()))
        (if (null? specs)
            (vector-concatenate (reverse parts))
            (loop (cdddr specs)
                  (cons (vector-copy (car specs) (cadr specs) (caddr specs)) parts)))))

    (define (vector-empty? vec) (zero? (vector-length vec)))
    (define (vector= same? . vecs)
      (define (two a b)
        (and (= (vector-length a) (vector-length b))
             (let loop ((i 0))
               (or (= i (vector-length a))
                   (and (same? (vector-ref a i) (vector-ref b i)) (loop (+ i 1)))))))
      (or (null? vecs)
          (let loop ((a (car vecs)) (rest (cdr vecs)))
            (or (null? rest) (and (two a (car rest)) (loop (car rest) (cdr rest)))))))

    (define (vector-fold kons state vec . vecs)
      (let ((vecs (cons vec vecs)))
        (let ((n (shortest vecs)))
          (let loop ((i 0) (state state))
            (if (= i n) state (loop (+ i 1) (apply kons state (refs vecs i))))))))
    (define (vector-fold-right kons state vec . vecs)
      (let ((vecs (cons vec vecs)))
        (let loop ((i (- (shortest vecs) 1)) (state state))
          (if (< i 0) state (loop (- i 1) (apply kons state (refs vecs i)))))))
    (define (vector-map! f vec . vecs)
      (let ((vecs (cons vec vecs)))
        (do ((i 0 (+ i 1))) ((= i (shortest vecs)))
          (vector-set! vec i (apply f (refs vecs i))))))
    (define (vector-count pred vec . vecs)
      (apply vector-fold (lambda (n . xs) (if (apply pred xs) (+ n 1) n)) 0 vec vecs))
    (define (vector-cumulate f knil vec)
      (let ((out (make-vector (vector-length vec))))
        (let loop ((i 0) (acc knil))
          (if (= i (vector-length vec))
              out
              (let ((acc (f acc (vector-ref vec i))))
                (vector-set! out i acc)
                (loop (+ i 1) acc))))))

    ;; The first index from `from` by `step` where `pred` of the elements holds, or #f.
    (define (search pred vecs from step)
      (let ((n (shortest vecs)))
        (let loop ((i (if (< step 0) (- n 1) from)))
          (cond ((or (< i 0) (>= i n)) #f)
                ((apply pred (refs vecs i)) i)
                (else (loop (+ i step)))))))
    (define (vector-index pred vec . vecs) (search pred (cons vec vecs) 0 1))
    (define (vector-index-right pred vec . vecs) (search pred (cons vec vecs) 0 -1))
    (define (negate pred) (lambda xs (not (apply pred xs))))
    (define (vector-skip pred vec . vecs) (search (negate pred) (cons vec vecs) 0 1))
    (define (vector-skip-right pred vec . vecs) (search (negate pred) (cons vec vecs) 0 -1))

    (define (vector-binary-search vec value cmp . o)
      (let-values (((start end) (range vec o)))
        (let loop ((lo start) (hi end))
          (and (< lo hi)
               (let* ((mid (quotient (+ lo hi) 2))
                      (c (cmp (vector-ref vec mid) value)))
                 (cond ((zero? c) mid)
                       ((negative? c) (loop (+ mid 1) hi))
                       (else (loop lo mid))))))))

    (define (vector-any pred vec . vecs)
      (let ((vecs (cons vec vecs)))
        (let ((n (shortest vecs)))
          (let loop ((i 0))
            (and (< i n) (or (apply pred (refs vecs i)) (loop (+ i 1))))))))
    (define (vector-every pred vec . vecs)
      (let ((vecs (cons vec vecs)))
        (let ((n (shortest vecs)))
          (let loop ((i 0) (last #t))
            (if (= i n)
                last
                (let ((r (apply pred (refs vecs i)))) (and r (loop (+ i 1) r))))))))

    (define (vector-partition pred vec)
      (let* ((n (vector-count pred vec))
             (out (make-vector (vector-length vec))))
        (let loop ((i 0) (yes 0) (no n))
          (if (= i (vector-length vec))
              (values out n)
              (let ((x (vector-ref vec i)))
                (if (pred x)
                    (begin (vector-set! out yes x) (loop (+ i 1) (+ yes 1) no))
                    (begin (vector-set! out no x) (loop (+ i 1) yes (+ no 1)))))))))

    (define (vector-swap! vec i j)
      (let ((x (vector-ref vec i)))
        (vector-set! vec i (vector-ref vec j))
        (vector-set! vec j x)))
    (define (vector-reverse! vec . o)
      (let-values (((start end) (range vec o)))
        (let loop ((i start) (j (- end 1)))
          (when (< i j)
            (vector-swap! vec i j)
            (loop (+ i 1) (- j 1))))))

    (define (reverse-vector->list vec . o)
      (let-values (((start end) (range vec o)))
        (do ((i start (+ i 1)) (acc '() (cons (vector-ref vec i) acc))) ((= i end) acc))))
    (define (reverse-list->vector l) (list->vector (reverse l)))))
