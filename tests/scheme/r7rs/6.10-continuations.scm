; R7RS 6.10: call/cc (escaping, re-entrant, after its procedure returned), values, and
; dynamic-wind with the before/after order on escape and re-entry.
(define (show . xs) (for-each display xs) (newline))

; Escape.
(show (+ 1 (call/cc (lambda (k) (+ 10 (k 42))))))
(show (call-with-current-continuation (lambda (k) 'normal-return)))
(define (find-first pred l)
  (call/cc (lambda (return) (for-each (lambda (x) (if (pred x) (return x))) l) #f)))
(show (find-first even? '(1 3 4 5 6)) " " (find-first even? '(1 3)))

; Escape from deep recursion.
(define (product l)
  (call/cc (lambda (break)
    (let loop ((l l))
      (cond ((null? l) 1)
            ((= (car l) 0) (break 'zero))
            (else (* (car l) (loop (cdr l)))))))))
(define (ones n) (let loop ((i 0) (acc '(0))) (if (= i n) acc (loop (+ i 1) (cons 1 acc)))))
(show (product '(1 2 3 4)) " " (product (ones 100000)))

; Re-entry after the capturing procedure returned.
(define saved #f)
(define count 0)
(define (capture) (call/cc (lambda (k) (set! saved k) 0)))
(define (run)
  (let ((v (capture)))
    (set! count (+ count 1))
    (if (< v 3) (saved (+ v 1)) (list 'v v 'count count))))
(show (run))

; A generator that re-enters a loop.
(define (make-generator lst)
  (define return #f)
  (define resume
    (lambda (ignored)
      (for-each (lambda (x) (call/cc (lambda (next) (set! resume next) (return x)))) lst)
      (return 'done)))
  (lambda () (call/cc (lambda (r) (set! return r) (resume #f)))))
(define g (make-generator '(a b c)))
(show (list (g) (g) (g) (g) (g)))

; Tree walk coroutine: same fringe.
(define (tree->generator tree)
  (define caller #f)
  (define (walk t)
    (cond ((null? t) 'skip)
          ((pair? t) (walk (car t)) (walk (cdr t)))
          (else (call/cc (lambda (rest) (set! resume (lambda () (rest #f))) (caller t))))))
  (define resume (lambda () (walk tree) (caller '*end*)))
  (lambda () (call/cc (lambda (c) (set! caller c) (resume)))))
(define (same-fringe? a b)
  (let ((ga (tree->generator a)) (gb (tree->generator b)))
    (let loop ()
      (let ((x (ga)) (y (gb)))
        (cond ((not (eqv? x y)) #f)
              ((eq? x '*end*) #t)
              (else (loop)))))))
(show (same-fringe? '(1 (2 3) ((4))) '((1 2) 3 4)) " " (same-fringe? '(1 2 3) '(1 2 4)))

; Multiple values through a continuation.
(call-with-values (lambda () (call/cc (lambda (k) (k 1 2 3)))) (lambda args (show args)))
(show (call-with-values (lambda () (values)) list))
(call-with-values (lambda () (values 1 2)) (lambda (a b) (show (+ a b))))

; call/cc in a loop, in tail position: constant space.
(define (spin i) (if (= i 0) 'spun (call/cc (lambda (k) (spin (- i 1))))))
(show (spin 1000000))

; dynamic-wind: order on normal exit, escape and re-entry.
(define trail '())
(define (note x) (set! trail (cons x trail)))
(dynamic-wind (lambda () (note 'before)) (lambda () (note 'during)) (lambda () (note 'after)))
(show (reverse trail))
(set! trail '())
(show (call/cc (lambda (k)
  (dynamic-wind (lambda () (note 'in))
                (lambda () (k 'escaped) (note 'not-here))
                (lambda () (note 'out))))))
(show (reverse trail))
(set! trail '())
(define reenter #f)
(define passes 0)
(dynamic-wind
  (lambda () (note 'in))
  (lambda () (call/cc (lambda (k) (set! reenter k))) (note 'body))
  (lambda () (note 'out)))
(set! passes (+ passes 1))
(if (< passes 3) (reenter #f))
(show (reverse trail))
(set! trail '())
(dynamic-wind
  (lambda () (note 'outer-in))
  (lambda ()
    (call/cc (lambda (k)
      (dynamic-wind (lambda () (note 'inner-in))
                    (lambda () (k 'x))
                    (lambda () (note 'inner-out))))))
  (lambda () (note 'outer-out)))
(show (reverse trail))
(show (dynamic-wind (lambda () #f) (lambda () 'value) (lambda () #f)))
(call-with-values
  (lambda () (dynamic-wind (lambda () #f) (lambda () (values 1 2)) (lambda () #f)))
  (lambda (a b) (show (list a b))))
(show (procedure? call/cc) " " (procedure? (call/cc (lambda (k) k))))
