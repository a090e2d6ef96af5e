; Old objects that receive young ones, through every kind of store, keep them across
; minor collections; weak cars and guardians see young objects die in minor collections.
; Under --gc-stress every collection first checks that no old object holds a young one
; without being remembered. The output is the same with generational collection off.
(define small? (member "small" (command-line)))
(define n (if small? 20 2000))
(define rounds (if small? 3 30))

(define (churn k) (if (= k 0) '() (cons (make-vector 6 k) (churn (- k 1)))))
(define (iota* k) (let loop ((i k) (acc '())) (if (= i 0) acc (loop (- i 1) (cons i acc)))))
(define (sum l) (apply + l))

; Everything below is old once this collection is done.
(define cache (make-vector n '()))
(define tail-list (list 0))
(define tail tail-list)
(define-record-type cell (make-cell value) cell? (value cell-value set-cell-value!))
(define cells (let loop ((i 0) (acc '())) (if (= i n) acc (loop (+ i 1) (cons (make-cell #f) acc)))))
(define table (make-hash-table))
(define text (make-string 10 #\a))
(define counter
  (let ((seen '()))
    (lambda (x) (set! seen (cons x seen)) (length seen))))
(define w (make-weak-pair #f 'old))
(define kept-weak (make-weak-pair #f 'kept))
(define holder #f)
(collect 'major)

(let loop ((r 0))
  (when (< r rounds)
    ; Young lists into old vector slots, an old list's tail, old records and a table.
    (let fill ((i 0))
      (when (< i n)
        (vector-set! cache i (iota* (+ 1 (modulo (+ i r) 5))))
        (fill (+ i 1))))
    (let ((next (list (+ r 1))))
      (set-cdr! tail next)
      (set! tail next))
    (for-each (lambda (c) (set-cell-value! c (list r r))) cells)
    (hash-table-set! table (list 'key r) (make-vector 3 r))
    (counter (make-string 3 #\x))
    ; Churn, with minor collections asked for and on the budget.
    (churn (if small? 50 5000))
    (collect 'minor)
    (loop (+ r 1))))

(display (list 'cache (let loop ((i 0) (acc 0)) (if (= i n) acc (loop (+ i 1) (+ acc (sum (vector-ref cache i))))))))
(newline)
(display (list 'tail (length tail-list) (sum tail-list)))
(newline)
(display (list 'cells (sum (map (lambda (c) (sum (cell-value c))) cells))))
(newline)
(display (list 'table (hash-table-size table)
               (vector-ref (hash-table-ref/default table (list 'key (- rounds 1)) #f) 0)))
(newline)
(display (list 'closure-box (counter 'last)))
(newline)

; A string that grows wide gets new storage: the old string holds it.
(string-set! text 3 #\λ)
(churn 100)
(collect 'minor)
(display (list 'wide-string text))
(newline)

; A young car of an old weak pair breaks in a minor collection once it dies, and holds
; while something else keeps it. (Under --gc-stress a collection may come between the
; allocation and the store and make the target old, when only a full collection finds
; it dead: the small runs then ask for one.)
(define (full-when-stressed) (when small? (collect 'major)))
(set-car! w (list 'young))
(set! holder (list 'held))
(set-car! kept-weak holder)
(churn 100)
(collect 'minor)
(full-when-stressed)
(display (list 'weak (bwp-object? (car w)) (car kept-weak)))
(newline)

; A young object registered with a guardian comes back from a minor collection.
(define g (make-guardian))
(g (list 'guarded 1 2))
(churn 100)
(collect 'minor)
(full-when-stressed)
(display (list 'guardian (g)))
(newline)

(display (list 'bad-kind (guard (e (#t (error-object-message e))) (collect 'medium))))
(newline)
(display (list 'stats (and (assq 'minor-collections (gc-stats)) (assq 'promoted-bytes (gc-stats)) #t)))
(newline)
