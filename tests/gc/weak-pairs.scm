; Weak pairs: their cars break once nothing else holds the target, and not before.
(define small? (member "small" (command-line)))
(define n (if small? 50 5000))

(define strong '())
(define weaks
  (let loop ((i 0) (acc '()))
    (if (= i n)
        acc
        (let ((target (list i)))
          (when (even? i) (set! strong (cons target strong)))
          (loop (+ i 1) (cons (make-weak-pair target i) acc))))))

; Garbage between, then a full collection.
(define (churn k) (if (= k 0) '() (cons (make-vector 10 k) (churn (- k 1)))))
(let loop ((i 0)) (when (< i (if small? 2 200)) (churn 1000) (loop (+ i 1))))
(collect)

(define (count-live ws)
  (let loop ((ws ws) (live 0) (broken 0) (wrong 0))
    (if (null? ws)
        (list 'live live 'broken broken 'wrong wrong)
        (let* ((w (car ws)) (target (car w)) (i (cdr w)))
          (cond ((bwp-object? target) (loop (cdr ws) live (+ broken 1) (if (even? i) (+ wrong 1) wrong)))
                ((= (car target) i) (loop (cdr ws) (+ live 1) broken wrong))
                (else (loop (cdr ws) live broken (+ wrong 1))))))))
(define result (count-live weaks))
; Every even target is held strongly and lives; every odd one is broken.
(display result)
(newline)
(display (length strong))
(newline)
