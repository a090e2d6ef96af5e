;; SRFI 125: hash tables, which R7RS-large names (scheme hash-table). There are no
;; comparators (SRFI 128) here: where SRFI 125 takes a comparator it takes an
;; equivalence predicate (optionally followed by a hash function), as its deprecated
;; forms of `make-hash-table` do. The tables are SRFI 69's, which rudo-scheme has
;; everywhere; this library adds what SRFI 125 changes or adds.
(define-library (srfi 125)
  (export
   make-hash-table hash-table hash-table-unfold alist->hash-table
   hash-table? hash-table-contains? hash-table-exists? hash-table-empty?
   hash-table=? hash-table-mutable?
   hash-table-ref hash-table-ref/default
   hash-table-set! hash-table-delete! hash-table-intern! hash-table-update!
   hash-table-update!/default hash-table-pop! hash-table-clear!
   hash-table-size hash-table-keys hash-table-values hash-table-entries
   hash-table-find hash-table-count
   hash-table-map hash-table-for-each hash-table-walk hash-table-map!
   hash-table-map->list hash-table-fold hash-table-prune!
   hash-table-copy hash-table-empty-copy hash-table->alist
   hash-table-union! hash-table-merge! hash-table-intersection!
   hash-table-difference! hash-table-xor!
   hash string-hash string-ci-hash hash-by-identity
   hash-table-equivalence-function hash-table-hash-function)
  (import (rename (scheme base)
                  (hash-table-set! %set!)
                  (hash-table-delete! %delete!)
                  (hash-table-fold %fold)))
  (begin
    (define (hash-table same? . pairs)
      (let ((table (make-hash-table same?)))
        (apply hash-table-set! table pairs)
        table))
    (define (hash-table-unfold stop? mapper successor seed same? . args)
      (let ((table (apply make-hash-table same? args)))
        (let loop ((seed seed))
          (if (stop? seed)
              table
              (call-with-values (lambda () (mapper seed))
                (lambda (key value)
                  (%set! table key value)
                  (loop (successor seed))))))))

    (define (hash-table-empty? table) (zero? (hash-table-size table)))
    (define (hash-table-mutable? table) (hash-table? table))
    (define (hash-table=? value=? a b)
      (and (= (hash-table-size a) (hash-table-size b))
           (%fold a (lambda (k v same) (and same (hash-table-contains? b k)
                                            (value=? v (hash-table-ref b k))))
                  #t)))

    (define (hash-table-set! table . pairs)
      (let loop ((pairs pairs))
        (when (pair? pairs)
          (%set! table (car pairs) (cadr pairs))
          (loop (cddr pairs)))))
    (define (hash-table-delete! table . keys)
      (let loop ((keys keys) (n 0))
        (cond ((null? keys) n)
              ((hash-table-contains? table (car keys))
               (%delete! table (car keys))
               (loop (cdr keys) (+ n 1)))
              (else (loop (cdr keys) n)))))
    (define (hash-table-intern! table key failure)
      (if (hash-table-contains? table key)
          (hash-table-ref table key)
          (let ((value (failure))) (%set! table key value) value)))
    (define (hash-table-pop! table)
      (if (hash-table-empty? table) (error "hash-table-pop!: the table is empty" table))
      (let* ((entry (car (hash-table->alist table))))
        (%delete! table (car entry))
        (values (car entry) (cdr entry))))
    (define (hash-table-clear! table)
      (for-each (lambda (k) (%delete! table k)) (hash-table-keys table)))

    (define (hash-table-entries table) (values (hash-table-keys table) (hash-table-values table)))
    (define (hash-table-find proc table failure)
      (let loop ((entries (hash-table->alist table)))
        (if (null? entries)
            (failure)
            (or (proc (caar entries) (cdar entries)) (loop (cdr entries))))))
    (define (hash-table-count pred table)
      (%fold table (lambda (k v n) (if (pred k v) (+ n 1) n)) 0))

    (define (hash-table-map proc same? table)
      (let ((out (make-hash-table same?)))
        (hash-table-walk table (lambda (k v) (%set! out k (proc v))))
        out))
    (define (hash-table-for-each proc table) (hash-table-walk table proc))
    (define (hash-table-map! proc table)
      (for-each (lambda (entry) (%set! table (car entry) (proc (car entry) (cdr entry))))
                (hash-table->alist table)))
    (define (hash-table-map->list proc table)
      (map (lambda (entry) (proc (car entry) (cdr entry))) (hash-table->alist table)))
    ;; SRFI 125's argument order, and SRFI 69's (the table first).
    (define (hash-table-fold a b c)
      (if (hash-table? a) (%fold a b c) (%fold c a b)))
    (define (hash-table-prune! proc table)
      (for-each (lambda (entry) (if (proc (car entry) (cdr entry)) (%delete! table (car entry))))
                (hash-table->alist table)))

    (define (hash-table-empty-copy table)
      (make-hash-table (hash-table-equivalence-function table) (hash-table-hash-function table)))

    (define (hash-table-union! a b)
      (hash-table-walk b (lambda (k v) (unless (hash-table-contains? a k) (%set! a k v))))
      a)
    (define hash-table-merge! hash-table-union!)
    (define (hash-table-intersection! a b)
      (hash-table-prune! (lambda (k v) (not (hash-table-contains? b k))) a)
      a)
    (define (hash-table-difference! a b)
      (hash-table-prune! (lambda (k v) (hash-table-contains? b k)) a)
      a)
    (define (hash-table-xor! a b)
      (hash-table-walk b (lambda (k v)
                           (if (hash-table-contains? a k) (%delete! a k) (%set! a k v))))
      a)))
