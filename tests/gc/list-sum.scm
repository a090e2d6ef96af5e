; A list of two million elements, built and summed again and again.
(define small? (member "small" (command-line)))
(define n (if small? 2000 2000000))
(define rounds (if small? 3 5))

(define (build n)
  (let loop ((i 0) (acc '()))
    (if (= i n) acc (loop (+ i 1) (cons i acc)))))

(define (sum l)
  (let loop ((l l) (s 0))
    (if (null? l) s (loop (cdr l) (+ s (car l))))))

(let loop ((r 0))
  (when (< r rounds)
    (let ((l (build n)))
      (display (list 'round r 'length (length l) 'sum (sum l)))
      (newline))
    (loop (+ r 1))))
