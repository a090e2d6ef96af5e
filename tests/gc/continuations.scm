; Continuations under collection: a saved stack is traced while nothing else refers to
; what it holds, and re-entering it after collections finds those objects intact.
(define small? (member "small" (command-line)))
(define depth (if small? 50 20000))
(define rounds (if small? 5 40))
(define steps (if small? 100 50000))

(define (churn n) (if (> n 0) (begin (make-vector 10 n) (churn (- n 1)))))

; 1. Re-enter a deep recursion, whose frames hold the only references to fresh lists
;    and strings, after the procedure returned and after collections.
(define saved #f)
(define (sum-down d)
  (if (= d 0)
      (call/cc (lambda (k) (set! saved k) 0))
      (let ((cell (list d (make-string 3 (integer->char (+ 65 (modulo d 26)))))))
        (+ (car cell)
           (char->integer (string-ref (cadr cell) 2))
           (sum-down (- d 1))))))
(define (trial)
  (let ((count 0) (total 0))
    (let ((v (sum-down depth)))
      (set! total (+ total v))
      (set! count (+ count 1))
      (churn 2000)
      (collect)
      (if (< count rounds) (saved count))
      (list 'rounds count 'total total))))
(display (trial))
(newline)

; 2. A generator re-entered inside an allocation loop: each step allocates, the
;    generator's loop keeps a growing list, and the consumer keeps every tenth value.
(define (make-generator)
  (define return #f)
  (define resume
    (lambda (ignored)
      (let loop ((i 0) (kept '()))
        (call/cc (lambda (k) (set! resume k) (return (cons i (length kept)))))
        (loop (+ i 1) (if (= 0 (modulo i 10)) (cons (make-vector 3 i) kept) kept)))))
  (lambda () (call/cc (lambda (r) (set! return r) (resume #f)))))
(define gen (make-generator))
(define (consume n acc kept)
  (if (= n 0)
      (list 'sum acc 'kept (length kept)
            'ok (let check ((l kept) (ok #t))
                  (if (null? l) ok (check (cdr l) (and ok (= (vector-ref (car l) 0) (vector-ref (car l) 2)))))))
      (let ((v (gen)))
        (make-string 20 #\z)
        (consume (- n 1) (+ acc (car v) (cdr v))
                 (if (= 0 (modulo (car v) 10)) (cons (make-vector 3 (car v)) kept) kept)))))
(display (consume steps 0 '()))
(newline)

; 3. Escapes through guard and dynamic-wind in a loop that allocates.
(define winds 0)
(define (escape-loop i acc)
  (if (= i 0)
      acc
      (escape-loop (- i 1)
        (+ acc (guard (e ((pair? e) (length e)))
                 (dynamic-wind
                   (lambda () (set! winds (+ winds 1)))
                   (lambda () (raise (make-list (+ 1 (modulo i 7)) i)))
                   (lambda () (set! winds (- winds 1)))))))))
(display (list 'escapes (escape-loop steps 0) 'winds winds))
(newline)
