; Lazy sweeping seen from Scheme: a weak car breaks at the collection, before any page
; is swept; safepoints sweep what is pending even in a loop that allocates nothing; a
; program that allocates and drops in a loop keeps a bounded heap. The same output
; holds when the sweep runs in the pause (--no-default-features).
(define small? (member "small" (command-line)))

(define (garbage n) (let loop ((i 0) (l '())) (if (= i n) (length l) (loop (+ i 1) (cons (make-vector 4 i) l)))))

(define w (make-weak-pair (make-vector 100 7) 'tag))
(garbage (if small? 100 100000))
(collect)
(display (list 'broken (bwp-object? (car w)) (cdr w)))
(newline)

; No allocation, only backward jumps: each is a safepoint that sweeps a few pages.
(let loop ((i 0)) (when (< i 100000) (loop (+ i 1))))
; (Under --gc-stress every safepoint collects instead, so pages are always pending.)
(unless small?
  (display (list 'pending-after-a-loop (pending-sweep-pages)))
  (newline))

; Explicit sweeping: it reports how many pages it swept, and then nothing is pending.
; (Under --gc-stress the next safepoint collects again, so this is for the full run.)
(let ((swept (sweep-pending 1000000)))
  (display (list 'swept-a-count (and (integer? swept) (>= swept 0))))
  (newline)
  (unless small?
    (display (list 'pending (pending-sweep-pages)))
    (newline)))

; Steady churn: the largest heap of the last rounds is within 10% of the largest of the
; rounds after the first few. (The heap size swings with where a round falls between two
; collections, so the rounds' largest sizes are compared, not two samples.)
(define (heap-bytes) (cdr (assq 'heap-bytes (gc-stats))))
(define rounds (if small? 4 40))
(define (churn) (garbage (if small? 200 100000)))
(define (largest-heap from to)
  (let loop ((r from) (largest 0))
    (if (= r to) largest (begin (churn) (loop (+ r 1) (max largest (heap-bytes)))))))
(largest-heap 0 (quotient rounds 4))
(let* ((early (largest-heap 0 (quotient rounds 4)))
       (late (begin (largest-heap 0 (quotient rounds 4)) (largest-heap 0 (quotient rounds 4)))))
  (display (list 'heap-bounded (or (and small? #t) (< late (* 1.1 early)))))
  (newline))
(display (list 'stats-keys (map (lambda (k) (and (assq k (gc-stats)) #t))
                                '(lazy-sweep-steps sweep-step-max-us pages-swept-lazily pending-sweep-pages))))
(newline)
