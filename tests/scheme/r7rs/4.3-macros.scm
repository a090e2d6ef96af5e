; R7RS 4.3: define-syntax, let-syntax, letrec-syntax and syntax-rules, with hygiene.
(define (show . xs) (for-each display xs) (newline))

; Introduced temporaries do not capture the user's variables.
(define-syntax swap!
  (syntax-rules () ((_ a b) (let ((tmp a)) (set! a b) (set! b tmp)))))
(define tmp 1)
(define other 2)
(swap! tmp other)
(show (list tmp other))
(define-syntax my-or
  (syntax-rules () ((_) #f) ((_ e) e) ((_ e r ...) (let ((t e)) (if t t (my-or r ...))))))
(define t 5)
(show (my-or #f t) " " (my-or) " " (my-or #f #f 3))
; Free identifiers of a template mean what they meant where the macro was defined, even
; where the use shadows them.
(define-syntax my-if (syntax-rules () ((_ c a b) (cond (c a) (else b)))))
(show (let ((if list) (cond #f) (else #f)) (my-if #t 'yes 'no)))
(define-syntax make-list-of-two (syntax-rules () ((_ a b) (list a b))))
(show (let ((list vector)) (make-list-of-two 1 2)))
; R7RS 4.3.2's example: a local `=>` is not the literal.
(show (let ((=> #f)) (cond (#t => 'ok))))
(define-syntax kw (syntax-rules (=>) ((_ a => b) (list 'arrow a b)) ((_ a b c) 'plain)))
(show (kw 1 => 2) " " (let ((=> 1)) (kw 1 => 2)))
; Recursion, nested ellipses, several ellipses at one level, a tail after the ellipsis.
(define-syntax my-let*
  (syntax-rules ()
    ((_ () body ...) (let () body ...))
    ((_ ((x v) rest ...) body ...) (let ((x v)) (my-let* (rest ...) body ...)))))
(show (my-let* ((a 1) (b (+ a 1)) (c (* b 3))) (list a b c)))
(define-syntax flatten-args (syntax-rules () ((_ (a b ...) ...) '((a ...) (b ... ...)))))
(show (flatten-args (1 2 3) (4 5 6) (7)))
(define-syntax last-of (syntax-rules () ((_ x ... y) 'y)))
(show (last-of 1 2 3 4))
(define-syntax pairs (syntax-rules () ((_ (k v) ...) (list (cons 'k v) ...))))
(show (pairs (a 1) (b 2)))
; Vector and dotted patterns, literal data in patterns, the `_` wildcard.
(define-syntax vec-pat (syntax-rules () ((_ #(a b ...)) (list a '(b ...)))))
(show (vec-pat #(1 2 3)))
(define-syntax dot-pat (syntax-rules () ((_ a . rest) '(a rest))))
(show (dot-pat 1 2 3) " " (dot-pat 1))
(define-syntax answer (syntax-rules () ((_ 42) 'forty-two) ((_ "s") 'string) ((_ _) 'other)))
(show (answer 42) " " (answer "s") " " (answer x))
(define-syntax vec-template (syntax-rules () ((_ x ...) #(x ... end))))
(show (vec-template 1 2))
; A custom ellipsis, and (... ...) for an ellipsis in the output.
(define-syntax my-elli (syntax-rules ::: () ((_ x :::) (list x ::: 'end))))
(show (my-elli 1 2))
(define-syntax be-like-begin
  (syntax-rules ()
    ((_ name) (define-syntax name (syntax-rules () ((name expr (... ...)) (begin expr (... ...))))))))
(be-like-begin sequence)
(show (sequence 1 2 3 4))
; Loops as macros.
(define-syntax while
  (syntax-rules () ((_ c body ...) (let lp () (when c body ... (lp))))))
(define i 0)
(define acc '())
(while (< i 5) (set! acc (cons i acc)) (set! i (+ i 1)))
(show acc)
(define-syntax for
  (syntax-rules (in) ((_ x in lst body ...) (for-each (lambda (x) body ...) lst))))
(for x in '(1 2 3) (display (* x x)) (display " "))
(newline)
; Internal define-syntax, macros that expand into definitions, let-syntax, letrec-syntax.
(define-syntax ten (syntax-rules () ((_) 10)))
(define (f)
  (define-syntax double (syntax-rules () ((_ x) (* 2 x))))
  (define y (double (ten)))
  (+ y 1))
(show (f))
(define (g)
  (define-syntax def2 (syntax-rules () ((_ n v) (define n v))))
  (def2 z 7)
  (+ z 1))
(show (g))
(define-syntax define-getter
  (syntax-rules () ((_ name value) (define (name) value))))
(define-getter get-five 5)
(show (get-five))
(show (let-syntax ((foo (syntax-rules () ((_ x) (+ x 1))))) (foo 41)))
(show (let ((x 'outer))
  (let-syntax ((m (syntax-rules () ((_) x))))
    (let ((x 'inner))
      (m)))))
(show (letrec-syntax
  ((all? (syntax-rules () ((_) #t) ((_ e rest ...) (if e (all? rest ...) #f))))
   (none? (syntax-rules () ((_ e ...) (not (any? e ...)))))
   (any? (syntax-rules () ((_) #f) ((_ e rest ...) (if e #t (any? rest ...))))))
  (list (all? 1 2 3) (all? 1 #f) (none? #f #f) (any? #f 2))))
; A macro that uses a local variable of its definition's scope.
(define (counter)
  (let ((n 0))
    (define-syntax bump! (syntax-rules () ((_) (begin (set! n (+ n 1)) n))))
    (bump!) (bump!) (let ((n 100)) (bump!))))
(show (counter))
; A quoted inserted symbol is the symbol itself.
(define-syntax quoted (syntax-rules () ((_) '(a b c))))
(show (quoted) " " (eq? (car (quoted)) 'a))
; A macro may be redefined as a procedure.
(define-syntax shadowed (syntax-rules () ((_) 'macro)))
(show (shadowed))
(define (shadowed) 'procedure)
(show (shadowed))
; include-ci reads with case folded.
(include-ci "included/shout.inc")
(show (shouted))
; syntax-error rejects a use when the macro is expanded.
(define-syntax must-be-pair
  (syntax-rules () ((_ (a . b)) 'pair) ((_ x) (syntax-error "must-be-pair: not a pair:" x))))
(show (must-be-pair (1 2)))
(show (guard (e ((error-object? e) (error-object-message e))) (eval '(must-be-pair 5))))
; A custom ellipsis that is also a literal is a literal (4.3.2): no ellipsis at all.
(define-syntax ellipsis-literal (syntax-rules ... (...) ((_ x) '(x ...))))
(show (ellipsis-literal 100))
(define-syntax dots-literal (syntax-rules (...) ((_ a ...) 'literal) ((_ a b) 'two)))
(show (dots-literal 1 ...) (dots-literal 1 2))
; Errors: no rule matches, a template that is not a macro, a macro used as a value,
; a macro that expands into itself forever.
(guard (e (#t (show "not reached"))) (swap! 1))
