;; Procedures that call procedures. They are Scheme so that the VM's frames, not Rust's,
;; hold their calls, and so that a collection can happen in the middle of them.

(define (map f list . lists)
  (define (map1 l)
    (let loop ((l l) (acc '()))
      (if (pair? l)
          (loop (cdr l) (cons (f (car l)) acc))
          (reverse! acc))))
  (define (map-n ls)
    (let loop ((ls ls) (acc '()))
      (if (%every-pair? ls)
          (loop (%cdrs ls) (cons (apply f (%cars ls)) acc))
          (reverse! acc))))
  (if (null? lists) (map1 list) (map-n (cons list lists))))

(define (for-each f list . lists)
  (if (null? lists)
      (let loop ((l list))
        (if (pair? l) (begin (f (car l)) (loop (cdr l)))))
      (let loop ((ls (cons list lists)))
        (if (%every-pair? ls) (begin (apply f (%cars ls)) (loop (%cdrs ls)))))))

(define (%every-pair? ls)
  (or (null? ls) (and (pair? (car ls)) (%every-pair? (cdr ls)))))

(define (%cars ls) (if (null? ls) '() (cons (caar ls) (%cars (cdr ls)))))
(define (%cdrs ls) (if (null? ls) '() (cons (cdar ls) (%cdrs (cdr ls)))))

(define (member x list . compare)
  (let ((same? (if (pair? compare) (car compare) equal?)))
    (let loop ((l list))
      (cond ((not (pair? l)) #f)
            ((same? x (car l)) l)
            (else (loop (cdr l)))))))

(define (assoc x alist . compare)
  (let ((same? (if (pair? compare) (car compare) equal?)))
    (let loop ((l alist))
      (cond ((not (pair? l)) #f)
            ((same? x (caar l)) (car l))
            (else (loop (cdr l)))))))

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
;; `call-with-values` opens.
(define-record-type %values (%make-values list) %values? (list %values-list))

(define (values . things)
  (if (and (pair? things) (null? (cdr things)))
      (car things)
      (%make-values things)))

(define (call-with-values producer consumer)
  (let ((v (producer)))
    (if (%values? v) (apply consumer (%values-list v)) (consumer v))))

(define (exact-integer-sqrt n) (apply values (%exact-integer-sqrt n)))
(define (floor/ n d) (values (floor-quotient n d) (floor-remainder n d)))
(define (truncate/ n d) (values (truncate-quotient n d) (truncate-remainder n d)))
