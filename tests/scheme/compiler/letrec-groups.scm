;; Internal definitions and letrec bindings whose values are lambdas are made as a
;; group, each closure holding the others without a box. Every case here checks that
;; a closure sees the procedure a later definition binds, and that the variables the
;; group cannot hold unboxed still behave.

;; Mutual recursion, and a closure made after the group that holds both.
(define (parity n)
  (define (ev? n) (if (= n 0) #t (od? (- n 1))))
  (define (od? n) (if (= n 0) #f (ev? (- n 1))))
  (define (table) (map (lambda (x) (list x (ev? x) (od? x))) '(0 1 2)))
  (list (ev? n) (od? n) (table)))
(write (parity 7))
(newline)

;; Three procedures in a cycle, each defined before the one it calls.
(define (cycle n)
  (letrec ((a (lambda (n acc) (if (= n 0) (reverse acc) (b (- n 1) (cons 'a acc)))))
           (b (lambda (n acc) (if (= n 0) (reverse acc) (c (- n 1) (cons 'b acc)))))
           (c (lambda (n acc) (if (= n 0) (reverse acc) (a (- n 1) (cons 'c acc))))))
    (a n '())))
(write (cycle 7))
(newline)

;; A procedure that refers to itself from a closure it makes.
(define (self-reference)
  (define (maker) (lambda () maker))
  (eq? ((maker)) maker))
(write (self-reference))
(newline)

;; A closure inside a named let's loop that calls the loop again.
(define (restarts)
  (let loop ((i 0) (thunks '()))
    (if (< i 3)
        (loop (+ i 1) (cons (lambda () (if (< i 2) (loop 3 (list i)) 'done)) thunks))
        thunks)))
(write (map (lambda (t) (let ((r (t))) (if (pair? r) (length r) r))) (restarts)))
(newline)

;; Each call makes its own group: the closures of one call hold that call's n.
(define (counter n)
  (define (get) n)
  (define (next) (counter (+ n 1)))
  (cons get next))
(let* ((c0 (counter 0)) (c1 ((cdr c0))) (c2 ((cdr c1))))
  (write (list ((car c0)) ((car c1)) ((car c2)))))
(newline)

;; A value computed between two definitions calls the first, which calls the second
;; before it is defined: the second stays in a box, and the call fails.
(define (too-early)
  (define (first) (second))
  (define value (guard (e ((error-object? e) 'second-not-yet-defined)) (first)))
  (define (second) 'second)
  (list value (first)))
(write (too-early))
(newline)

;; A definition that `set!` changes later is not part of a group: closures see the
;; new value.
(define (reassigned)
  (define (caller) (callee))
  (define (callee) 'old)
  (set! callee (lambda () 'new))
  (caller))
(write (reassigned))
(newline)

;; A continuation taken after the group and resumed: the group's procedures are
;; unchanged.
(define (resumed)
  (define k #f)
  (define count 0)
  (define (bump) (set! count (+ count 1)) (peek))
  (define (peek) count)
  (call/cc (lambda (c) (set! k c)))
  (bump)
  (if (< count 3) (k 'again) (list count (peek))))
(write (resumed))
(newline)

;; Groups nested in a group's procedures.
(define (nested x)
  (define (outer y)
    (define (inner-a z) (if (> z 0) (inner-b (- z 1)) (list x y)))
    (define (inner-b z) (inner-a z))
    (inner-a 3))
  (define (other) (outer 'y))
  (other))
(write (nested 'x))
(newline)

;; A run of definitions, one of which a closure made before the run refers to, and
;; which refers to the other: the whole run keeps its boxes.
(define (referred-before)
  (define (user) (p))
  (define z 'z)
  (define (p) (list z (q)))
  (define (q) 'q)
  (user))
(write (referred-before))
(newline)

;; Constants defined between the procedures belong to the run; one that a procedure
;; made before it reads is in a box, and one that `set!` changes is too.
(define (with-constants)
  (define (get) limit)
  (define limit 10)
  (define count 0)
  (define (twice) (set! count (+ count 1)) (* 2 (get)))
  (list (twice) (twice) count))
(write (with-constants))
(newline)
