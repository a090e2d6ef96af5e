;; Procedures that call procedures. They are Scheme so that the VM's frames, not Rust's,
;; hold their calls, and so that a collection can happen in the middle of them.

(define (map f list . lists)
  (define (map1 l)
    (let loop ((l l) (acc '()))
      (if (pair? l)
          (loop (cdr l) (cons (f (car l)) acc))
          (reverse acc))))
  (define (map-n ls)
    (let loop ((ls ls) (acc '()))
      (if (%every-pair? ls)
          (loop (%cdrs ls) (cons (apply f (%cars ls)) acc))
          (reverse acc))))
  (if (null? lists) (map1 list) (map-n (cons list lists))))

(define (for-each f list . lists)
  (if (null? lists)
      (let loop ((l list) (slow list) (odd #f))
        (when (pair? l)
          (f (car l))
          (let ((l (cdr l)) (slow (if odd (cdr slow) slow)))
            (if (and odd (eq? l slow)) (%cyclic 'for-each list))
            (loop l slow (not odd)))))
      (let loop ((ls (cons list lists)))
        (if (%every-pair? ls) (begin (apply f (%cars ls)) (loop (%cdrs ls)))))))

(define (%every-pair? ls)
  (or (null? ls) (and (pair? (car ls)) (%every-pair? (cdr ls)))))

(define (%cars ls) (if (null? ls) '() (cons (caar ls) (%cars (cdr ls)))))
(define (%cdrs ls) (if (null? ls) '() (cons (cdar ls) (%cdrs (cdr ls)))))

(define (member x list . compare)
  (let ((same? (if (pair? compare) (car compare) equal?)))
    (let loop ((l list) (slow list) (odd #f))
      (cond ((not (pair? l)) #f)
            ((same? x (car l)) l)
            (else
             (let ((l (cdr l)) (slow (if odd (cdr slow) slow)))
               (if (and odd (eq? l slow)) (%cyclic 'member list))
               (loop l slow (not odd))))))))

(define (assoc x alist . compare)
  (let ((same? (if (pair? compare) (car compare) equal?)))
    (let loop ((l alist) (slow alist) (odd #f))
      (cond ((not (pair? l)) #f)
            ((same? x (caar l)) (car l))
            (else
             (let ((l (cdr l)) (slow (if odd (cdr slow) slow)))
               (if (and odd (eq? l slow)) (%cyclic 'assoc alist))
               (loop l slow (not odd))))))))

;; The error of a procedure that walks a list and finds it cyclic: a second cursor at
;; half speed meets the first.
(define (%cyclic who list)
  (error (string-append (symbol->string who) ": expected a proper list, not a cyclic one")
         list))

(define (vector-map f v . vs)
  (list->vector (apply map f (vector->list v) (map vector->list vs))))

(define (vector-for-each f v . vs)
  (apply for-each f (vector->list v) (map vector->list vs)))

(define (string-map f s . ss)
  (list->string (apply map f (string->list s) (map string->list ss))))

(define (string-for-each f s . ss)
  (apply for-each f (string->list s) (map string->list ss)))

;; Promises (R7RS 4.2.5). A promise holds a box `(done? . value-or-thunk)` that promises
;; chained by `delay-force` come to share, so forcing a chain runs in constant space.
(define-record-type promise (%promise box) promise? (box %promise-box %set-promise-box!))

(define (%make-promise done? value) (%promise (cons done? value)))

(define (make-promise v) (if (promise? v) v (%make-promise #t v)))

(define (force p)
  (if (not (promise? p))
      p
      (let ((box (%promise-box p)))
        (if (car box)
            (cdr box)
            (let* ((p* (make-promise ((cdr box))))
                   (box (%promise-box p)))
              ;; Forcing the thunk may have forced `p` itself; the first result stands.
              (unless (car box)
                (let ((box* (%promise-box p*)))
                  (set-car! box (car box*))
                  (set-cdr! box (cdr box*))
                  (%set-promise-box! p* box)))
              (force p))))))

;; Multiple values: one value is itself; any other number travels as a record that only
;; `call-with-values` opens. The builtin `values` makes one only for a continuation that
;; takes any number: `%call-for-values`'s, or one that discards its value; elsewhere it
;; is an error. Procedures that pass a thunk's values on hold them as the record, and
;; return them with `%return-values`, which checks their own continuation.
(define-record-type %values (%make-values list) %values? (list %values-list))

(define (call-with-values producer consumer)
  (let ((v (%call-for-values producer)))
    (if (%values? v) (apply consumer (%values-list v)) (consumer v))))

(define (%return-values v)
  (if (%values? v) (apply values (%values-list v)) v))

(define (exact-integer-sqrt n) (apply values (%exact-integer-sqrt n)))
(define (floor/ n d) (values (floor-quotient n d) (floor-remainder n d)))
(define (truncate/ n d) (values (truncate-quotient n d) (truncate-remainder n d)))
;; The rest of (scheme base) and (scheme process-context).
(define (list-set! list k obj) (set-car! (list-tail list k) obj))

(define (%copy! who to at from start end ref put! size)
  (if (or (< at 0) (< start 0) (< end start) (> end (size from)) (> (+ at (- end start)) (size to)))
      (error (string-append (symbol->string who) ": range out of bounds") at start end))
  ;; Copy away from the overlap when `to` and `from` are the same object.
  (if (<= at start)
      (do ((i start (+ i 1)) (j at (+ j 1))) ((= i end)) (put! to j (ref from i)))
      (do ((i (- end 1) (- i 1)) (j (+ at (- end start 1)) (- j 1))) ((< i start)) (put! to j (ref from i)))))

(define (string-copy! to at from . range)
  (%copy! 'string-copy! to at from
          (if (pair? range) (car range) 0)
          (if (and (pair? range) (pair? (cdr range))) (cadr range) (string-length from))
          string-ref string-set! string-length))

(define (bytevector-copy! to at from . range)
  (%copy! 'bytevector-copy! to at from
          (if (pair? range) (car range) 0)
          (if (and (pair? range) (pair? (cdr range))) (cadr range) (bytevector-length from))
          bytevector-u8-ref bytevector-u8-set! bytevector-length))

;; The simplest rational within `y` of `x` (R7RS 6.2.6), after the R4RS reference.
(define (rationalize x y)
  (define (simplest lo hi)
    (let ((fl (floor lo)) (fh (floor hi)))
      (cond ((not (< fl lo)) fl)
            ((= fl fh) (+ fl (/ (simplest (/ (- hi fh)) (/ (- lo fl))))))
            (else (+ 1 fl)))))
  (let ((lo (- x (abs y))) (hi (+ x (abs y))))
    (cond ((= lo hi) lo)
          ((positive? lo) (simplest lo hi))
          ((negative? hi) (- (simplest (- hi) (- lo))))
          (else (if (and (exact? x) (exact? y)) 0 0.)))))

;; `exit` leaves every dynamic extent first, running its `after` procedures;
;; `emergency-exit` does not.
(define (exit . status) (%wind-to '()) (apply %exit status))
(define emergency-exit %exit)

;; Hash tables (SRFI 69): a vector of buckets (association lists) in the heap, doubled
;; when the entries outnumber twice the buckets. `eq?` and `eqv?` tables hash by
;; address, which stays valid because the collector never moves objects.
(define-record-type hash-table
  (%make-hash-table same? hash buckets count)
  hash-table?
  (same? hash-table-equivalence-function)
  (hash hash-table-hash-function)
  (buckets %hash-table-buckets %set-hash-table-buckets!)
  (count hash-table-size %set-hash-table-size!))

(define (hash obj . bound) (%bounded (%equal-hash obj) bound))
(define (string-hash s . bound) (%bounded (%string-hash s) bound))
(define (string-ci-hash s . bound) (%bounded (%string-hash (string-foldcase s)) bound))
(define (hash-by-identity obj . bound) (%bounded (%eq-hash obj) bound))
(define (%bounded h bound) (if (pair? bound) (modulo h (car bound)) h))

(define (make-hash-table . args)
  (let* ((same? (if (pair? args) (car args) equal?))
         (hash (cond ((and (pair? args) (pair? (cdr args))) (cadr args))
                     ((eq? same? eq?) %eq-hash)
                     ((eq? same? eqv?) %eqv-hash)
                     ((eq? same? string=?) %string-hash)
                     ((eq? same? string-ci=?) (lambda (s) (%string-hash (string-foldcase s))))
                     (else %equal-hash))))
    (%make-hash-table same? hash (make-vector 16 '()) 0)))

(define (%hash-bucket table key)
  (let ((buckets (%hash-table-buckets table)))
    (modulo ((hash-table-hash-function table) key) (vector-length buckets))))

(define (%hash-entry table key)
  (let ((same? (hash-table-equivalence-function table)))
    (let loop ((l (vector-ref (%hash-table-buckets table) (%hash-bucket table key))))
      (cond ((null? l) #f)
            ((same? key (caar l)) (car l))
            (else (loop (cdr l)))))))

(define (hash-table-ref table key . default)
  (let ((entry (%hash-entry table key)))
    (cond (entry (cdr entry))
          ((pair? default) ((car default)))
          (else (error "hash-table-ref: no such key" key)))))

(define (hash-table-ref/default table key default)
  (let ((entry (%hash-entry table key)))
    (if entry (cdr entry) default)))

(define (hash-table-set! table key value)
  (let ((entry (%hash-entry table key)))
    (if entry
        (set-cdr! entry value)
        (let ((i (%hash-bucket table key)) (buckets (%hash-table-buckets table)))
          (vector-set! buckets i (cons (cons key value) (vector-ref buckets i)))
          (%set-hash-table-size! table (+ (hash-table-size table) 1))
          (if (> (hash-table-size table) (* 2 (vector-length buckets)))
              (%hash-table-resize! table (* 2 (vector-length buckets))))))))

(define (%hash-table-resize! table n)
  (let ((old (%hash-table-buckets table)) (hash (hash-table-hash-function table)))
    (%set-hash-table-buckets! table (make-vector n '()))
    (vector-for-each
     (lambda (bucket)
       (for-each (lambda (entry)
                   (let ((i (modulo (hash (car entry)) n)) (buckets (%hash-table-buckets table)))
                     (vector-set! buckets i (cons entry (vector-ref buckets i)))))
                 bucket))
     old)))

(define (hash-table-delete! table key)
  (let* ((i (%hash-bucket table key))
         (buckets (%hash-table-buckets table))
         (same? (hash-table-equivalence-function table)))
    (let loop ((l (vector-ref buckets i)) (kept '()))
      (cond ((null? l) #f)
            ((same? key (caar l))
             (vector-set! buckets i (%append-reverse kept (cdr l)))
             (%set-hash-table-size! table (- (hash-table-size table) 1)))
            (else (loop (cdr l) (cons (car l) kept)))))))

(define (%append-reverse rev tail) (if (null? rev) tail (%append-reverse (cdr rev) (cons (car rev) tail))))

(define (hash-table-contains? table key) (if (%hash-entry table key) #t #f))
(define hash-table-exists? hash-table-contains?)

(define (hash-table-update! table key proc . default)
  (hash-table-set! table key (proc (apply hash-table-ref table key default))))

(define (hash-table-update!/default table key proc default)
  (hash-table-set! table key (proc (hash-table-ref/default table key default))))

(define (hash-table-walk table proc)
  (vector-for-each
   (lambda (bucket) (for-each (lambda (entry) (proc (car entry) (cdr entry))) bucket))
   (%hash-table-buckets table)))

(define (hash-table-fold table kons knil)
  (let ((acc knil))
    (hash-table-walk table (lambda (k v) (set! acc (kons k v acc))))
    acc))

(define (hash-table->alist table)
  (hash-table-fold table (lambda (k v acc) (cons (cons k v) acc)) '()))
(define (hash-table-keys table) (hash-table-fold table (lambda (k v acc) (cons k acc)) '()))
(define (hash-table-values table) (hash-table-fold table (lambda (k v acc) (cons v acc)) '()))

(define (hash-table-copy table . mutable)
  (let ((copy (make-hash-table (hash-table-equivalence-function table)
                               (hash-table-hash-function table))))
    (hash-table-walk table (lambda (k v) (hash-table-set! copy k v)))
    copy))

(define (hash-table-merge! table other)
  (hash-table-walk other (lambda (k v) (hash-table-set! table k v)))
  table)

(define (alist->hash-table alist . args)
  (let ((table (apply make-hash-table args)))
    (for-each (lambda (entry)
                (unless (hash-table-contains? table (car entry))
                  (hash-table-set! table (car entry) (cdr entry))))
              alist)
    table))

;; Continuations (R7RS 6.10). `%call/cc` gives the VM's continuation object, which
;; `%continue` returns one value to; the procedure a program sees also moves between
;; the `dynamic-wind` extents of the two places. `%winders` lists the extents the
;; program is in, innermost first, as (before . after) pairs.
(define %winders '())

(define (dynamic-wind before thunk after)
  (before)
  (set! %winders (cons (cons before after) %winders))
  (let ((result (%call-for-values thunk)))
    (set! %winders (cdr %winders))
    (after)
    (%return-values result)))

;; Leaves the extents of `%winders` that `target` is not in, innermost first, then
;; enters those of `target` that the program is not in, outermost first.
(define (%wind-to target)
  (let ((common (%common-tail %winders target)))
    (let leave ()
      (unless (eq? %winders common)
        (let ((after (cdar %winders)))
          (set! %winders (cdr %winders))
          (after)
          (leave))))
    (let enter ((l target))
      (unless (eq? l common)
        (enter (cdr l))
        ((caar l))
        (set! %winders l)))))

(define (%common-tail x y)
  (let ((lx (length x)) (ly (length y)))
    (let loop ((x (if (> lx ly) (list-tail x (- lx ly)) x))
               (y (if (> ly lx) (list-tail y (- ly lx)) y)))
      (if (eq? x y) x (loop (cdr x) (cdr y))))))

(define (call-with-current-continuation f)
  (let ((winders %winders))
    (%call/cc
     (lambda (k)
       (f (lambda results
            (%wind-to winders)
            (%continue k (if (and (pair? results) (null? (cdr results)))
                             (car results)
                             (%make-values results)))))))))

(define call/cc call-with-current-continuation)

;; Exceptions (R7RS 6.11). `%handlers` lists the installed handlers, innermost first. A
;; handler runs with the handlers that were installed when it was (`%with-handlers`).
;; The VM calls `%raise` for `raise`, for `error` and for every error a builtin
;; signals, when a handler is installed; error objects are what errors become.
(define %handlers '())

(define-record-type %error-object
  (%make-error-object kind message irritants site)
  error-object?
  (kind %error-object-kind)
  (message error-object-message)
  (irritants error-object-irritants)
  (site %error-object-site))

(define (read-error? obj) (and (error-object? obj) (eq? (%error-object-kind obj) 'read)))
(define (file-error? obj) (and (error-object? obj) (eq? (%error-object-kind obj) 'file)))

(define (%with-handlers handlers thunk)
  (let ((outer %handlers))
    (dynamic-wind
     (lambda () (set! %handlers handlers))
     thunk
     (lambda () (set! %handlers outer)))))

(define (with-exception-handler handler thunk)
  (unless (procedure? handler)
    (error "with-exception-handler: expected a procedure" handler))
  (%with-handlers (cons handler %handlers) thunk))

(define (raise-continuable obj)
  (if (null? %handlers)
      (raise obj)
      (let ((handlers %handlers))
        (%with-handlers (cdr handlers) (lambda () ((car handlers) obj))))))

;; A handler that returns from a `raise` raises a secondary exception; with no handler
;; left to take that one, the original is what the top level reports.
(define (%raise obj)
  (let ((handlers %handlers))
    (%with-handlers
     (cdr handlers)
     (lambda ()
       ((car handlers) obj)
       (raise (if (null? (cdr handlers))
                  obj
                  (%make-error-object 'error "exception handler returned from raise" (list obj) #f)))))))

;; Parameters (R7RS 4.2.6): a parameter is a procedure that answers its value, or its
;; cell `(value converter)` when given the private key; `parameterize` swaps cell
;; values on the way in and out of its extent.
(define %parameter-key (list 'parameter))

(define (make-parameter value . converter)
  (let* ((convert (if (pair? converter) (car converter) (lambda (x) x)))
         (cell (list (convert value) convert)))
    (lambda args
      (cond ((null? args) (car cell))
            ((eq? (car args) %parameter-key) cell)
            (else (error "parameter: expected no arguments" args))))))

(define (%parameterize params vals thunk)
  (let* ((cells (map (lambda (p) (p %parameter-key)) params))
         (inside (map (lambda (cell v) ((cadr cell) v)) cells vals))
         (outside '()))
    (dynamic-wind
     (lambda ()
       (set! outside (map car cells))
       (for-each set-car! cells inside))
     thunk
     (lambda ()
       (set! inside (map car cells))
       (for-each set-car! cells outside)))))

;; Ports (R7RS 6.13): the current ports are parameters; the builtins that take an
;; optional port read these parameters' cells when they get none.
(define current-input-port (make-parameter (%standard-port 0)))
(define current-output-port (make-parameter (%standard-port 1)))
(define current-error-port (make-parameter (%standard-port 2)))
(define %current-input-cell (current-input-port %parameter-key))
(define %current-output-cell (current-output-port %parameter-key))
(define %current-error-cell (current-error-port %parameter-key))

(define (call-with-port port proc)
  (let ((result (%call-for-values (lambda () (proc port)))))
    (close-port port)
    (%return-values result)))
(define (call-with-input-file file proc) (call-with-port (open-input-file file) proc))
(define (call-with-output-file file proc) (call-with-port (open-output-file file) proc))
(define (%with-port-as param port thunk)
  (call-with-port port (lambda (port) (parameterize ((param port)) (thunk)))))
(define (with-input-from-file file thunk)
  (%with-port-as current-input-port (open-input-file file) thunk))
(define (with-output-to-file file thunk)
  (%with-port-as current-output-port (open-output-file file) thunk))

(define (read-bytevector! bv . args)
  (let* ((port (if (pair? args) (car args) (current-input-port)))
         (start (if (and (pair? args) (pair? (cdr args))) (cadr args) 0))
         (end (if (and (pair? args) (pair? (cdr args)) (pair? (cddr args))) (caddr args) (bytevector-length bv)))
         (got (read-bytevector (- end start) port)))
    (if (eof-object? got)
        got
        (begin (bytevector-copy! bv start got) (bytevector-length got)))))

;; eval and load (R7RS 6.12, 6.14). An environment is its import sets and the
;; compiler's namespace for them, which `eval` makes the first time it needs it
;; (`vm/eval.rs`); the interaction environment is the program's own, namespace 0.
(define-record-type environment
  (%make-environment specs namespace)
  environment?
  (specs %environment-specs)
  (namespace %environment-namespace))
(define (environment . specs) (%make-environment specs #f))
(define %interaction-environment (%make-environment '() 0))
(define (interaction-environment) %interaction-environment)
(define (scheme-report-environment version) (environment '(scheme r5rs)))
(define (null-environment version) (environment '(scheme r5rs)))
(define (load file . environment)
  (for-each %eval-source (%read-source file)))

;; Guardians (Chez Scheme): `(g obj)` registers obj; `(g)` returns a registered object
;; that the collector has found unreachable and kept for the guardian, or #f.
(define (make-guardian)
  (let ((token (%new-guardian)))
    (case-lambda
      ((obj) (%guard obj token))
      (() (%guardian-next token)))))
