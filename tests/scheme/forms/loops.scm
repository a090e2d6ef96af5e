; Loops the compiler runs in place (named let, do, a letrec loop called at once), and
; the shapes it must leave as closures.
(define (t x) (write x) (newline))
; In value position, as an argument.
(t (+ 1 (let loop ((i 0) (acc 0)) (if (= i 10) acc (loop (+ i 1) (+ acc i))))))
; In effect position, followed by more of the body.
(define (count-up n)
  (let ((v (make-vector n 0)))
    (let fill ((i 0)) (when (< i n) (vector-set! v i (* i i)) (fill (+ i 1))))
    v))
(t (count-up 5))
; In tail position, ten million iterations in constant space.
(t (let loop ((i 0)) (if (= i 10000000) 'done (loop (+ i 1)))))
; Nested loops, the inner one in effect and in value position.
(t (let outer ((i 0) (rows '()))
     (if (= i 3)
         (reverse rows)
         (outer (+ i 1)
                (cons (let inner ((j 0) (row '())) (if (> j i) row (inner (+ j 1) (cons j row))))
                      rows)))))
(t (do ((i 0 (+ i 1)) (acc '() (cons (do ((j 0 (+ j 1)) (s 0 (+ s j))) ((= j i) s)) acc)))
       ((= i 5) acc)))
; A loop whose exit is inside a `let` and a `begin` deep in the body.
(t (let loop ((l '(1 2 3 4)) (sum 0))
     (let ((x (if (null? l) #f (car l))))
       (begin (if x (loop (cdr l) (+ sum x)) (list 'sum sum))))))
; Each iteration binds its parameters afresh: closures keep their own `i`.
(t (map (lambda (f) (f))
        (let loop ((i 0) (fs '()))
          (if (= i 3) (reverse fs) (loop (+ i 1) (cons (lambda () i) fs))))))
; An assigned parameter captured by a closure is boxed anew each iteration.
(t (let loop ((i 0) (fs '()))
     (if (= i 3)
         (map (lambda (f) (f)) fs)
         (begin (set! i (* i 10)) (loop (+ (/ i 10) 1) (cons (lambda () i) fs))))))
; `do` with a body and a result sequence.
(t (do ((vec (make-vector 5)) (i 0 (+ i 1))) ((= i 5) (vector->list vec)) (vector-set! vec i i)))
; A letrec loop called at once.
(t (letrec ((walk (lambda (l n) (if (pair? l) (walk (cdr l) (+ n 1)) n)))) (walk '(a b c) 0)))
; An internal definition used as a loop.
(define (len l) (define (go l n) (if (null? l) n (go (cdr l) (+ n 1)))) (go l 0))
(t (len '(1 2 3 4 5)))
; The loop called in a non-tail position: an ordinary procedure.
(t (let fact ((n 10)) (if (= n 0) 1 (* n (fact (- n 1))))))
; The loop passed as a value, or called from an inner lambda: still a procedure.
(t (let loop ((i 0)) (if (< i 3) (loop (+ i 1)) loop)))
(t (let loop ((i 0)) (if (< i 3) ((lambda () (loop (+ i 1)))) i)))
; A call to the loop with the wrong number of arguments is an error, not a jump.
(t (let loop ((i 0)) (if (< i 3) (loop (+ i 1)) i)))
(let loop ((i 0)) (if (< i 3) (loop) i))
