; Binary trees: many short-lived trees beside one long-lived tree.
(define small? (member "small" (command-line)))
(define max-depth (if small? 6 16))

(define (make-tree depth)
  (if (= depth 0)
      (cons '() '())
      (cons (make-tree (- depth 1)) (make-tree (- depth 1)))))

(define (check tree)
  (if (null? (car tree))
      1
      (+ 1 (check (car tree)) (check (cdr tree)))))

(define long-lived (make-tree max-depth))

(let loop ((depth 4))
  (when (<= depth max-depth)
    (let ((iterations (expt 2 (- max-depth depth))))
      (let inner ((i 0) (sum 0))
        (if (< i iterations)
            (inner (+ i 1) (+ sum (check (make-tree depth))))
            (begin
              (display (list 'depth depth 'trees iterations 'check sum))
              (newline)))))
    (loop (+ depth 2))))

(display (list 'long-lived (check long-lived)))
(newline)
