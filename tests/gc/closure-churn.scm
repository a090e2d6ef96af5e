; Closures capturing boxed and unboxed variables, made in a loop and called later.
(define small? (member "small" (command-line)))
(define n (if small? 300 300000))

(define (make-adder k)
  (let ((calls 0))
    (lambda (x)
      (set! calls (+ calls 1))
      (+ x k calls))))

(define adders
  (let loop ((i 0) (acc '()))
    (if (= i 100) acc (loop (+ i 1) (cons (make-adder i) acc)))))

(let loop ((i 0) (sum 0) (fs adders))
  (cond ((= i n) (display (list 'sum sum)) (newline))
        ((null? fs) (loop i sum adders))
        (else (loop (+ i 1) (+ sum ((car fs) i)) (cdr fs)))))

(define (compose . fs)
  (if (null? fs)
      (lambda (x) x)
      (lambda (x) ((car fs) ((apply compose (cdr fs)) x)))))
(display ((compose (lambda (x) (* x 2)) (lambda (x) (+ x 1)) (car adders)) 5))
(newline)
