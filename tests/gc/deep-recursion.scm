; Deep non-tail recursion: the VM stack holds every frame across collections.
(define small? (member "small" (command-line)))
(define depth (if small? 400 1000000))

(define (build n)
  (if (= n 0) '() (cons (list n (* n n)) (build (- n 1)))))

(define (sum-squares l)
  (if (null? l) 0 (+ (cadr (car l)) (sum-squares (cdr l)))))

(define l (build depth))
(display (list 'length (length l) 'sum-of-squares (sum-squares l)))
(newline)

(define (nest n) (if (= n 0) 'bottom (vector n (nest (- n 1)))))
(define (unnest v) (if (vector? v) (+ (vector-ref v 0) (unnest (vector-ref v 1))) 0))
(display (list 'nested (unnest (nest depth))))
(newline)
