; Guardians and weak pairs under collection: objects a guardian holds come back, intact,
; once the program drops them, and not before; weak pairs to them break only after the
; guardian has given them back and the program has dropped them again.
(define small? (member "small" (command-line)))
(define n (if small? 40 20000))
(define (churn k) (if (> k 0) (begin (make-vector 8 k) (churn (- k 1)))))
(define (count-if ok? l)
  (let loop ((l l) (k 0)) (if (null? l) k (loop (cdr l) (if (ok? (car l)) (+ k 1) k)))))

(define g (make-guardian))
(define kept '())
(define weaks
  (let loop ((i 0) (acc '()))
    (if (= i n)
        acc
        (let ((obj (list i (make-string 4 #\g) (make-vector 2 i))))
          (g obj)
          (when (= 0 (modulo i 4)) (set! kept (cons obj kept)))
          (loop (+ i 1) (cons (weak-cons obj i) acc))))))
(churn (if small? 100 100000))
(collect)

; Every dropped object (three in four) is ready, intact; the kept ones are not.
(define (drain g acc)
  (let ((obj (g)))
    (if obj (drain g (cons obj acc)) acc)))
(define back (drain g '()))
(define (intact? obj)
  (and (string=? (cadr obj) "gggg") (= (vector-ref (caddr obj) 1) (car obj))))
(display (list 'back (length back)
               'intact (count-if intact? back)
               'dropped (count-if (lambda (o) (not (= 0 (modulo (car o) 4)))) back)
               'expected (- n (quotient (+ n 3) 4))))
(newline)

; The weak pairs still see every object: the kept ones and the ones given back.
(define (broken ws) (count-if (lambda (w) (bwp-object? (car w))) ws))
(display (list 'weak-pairs (length weaks) 'weak (count-if weak-pair? weaks) 'broken (broken weaks)))
(newline)

; Drop what came back and collect: now their weak cars break; the kept ones stay.
(set! back #f)
(churn (if small? 100 100000))
(collect)
(display (list 'broken (broken weaks) 'ready-again (g) 'strong-pair-weak? (weak-pair? (cons 1 2))))
(newline)
(display (list 'kept (length kept) 'intact (count-if intact? kept)))
(newline)
