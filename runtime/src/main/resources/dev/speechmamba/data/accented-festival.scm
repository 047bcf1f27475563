;; English spoken with the diphones of festival's non-English speakers: the English front end of kal_diphone
;; (lexicon, durations, intonation) predicts the segments, and just before waveform synthesis each English
;; phone is renamed to its nearest phone(s) of the foreign speaker's inventory, as a speaker of that language
;; would say it; the foreign diphone database then speaks them.

;; Renames each segment by TABLE (English phone -> the foreign speaker's phones: none drops it, two split its
;; duration). A phone the table lacks is an error rather than a silent drop, so that a table cannot lose sounds
;; unnoticed.
(define (acc_map_segments utt table)
  (mapcar
   (lambda (s)
     (let ((entry (assoc_string (item.name s) table)))
       (if (null entry)
           (error (string-append "accented festival voice: no mapping for the English phone " (item.name s))))
       (let ((m (cadr entry)))
         (cond
          ((null m) (item.delete s))
          ((equal? (length m) 1) (item.set_name s (car m)))
          (t
           (let ((end (item.feat s "end"))
                 (mid (/ (+ (item.feat s "segment_start") (item.feat s "end")) 2)))
             (item.set_name s (car m))
             (item.set_feat s "end" mid)
             (item.insert s (list (cadr m) (list (list "end" end))) 'after)))))))
   (utt.relation.items utt 'Segment))
  utt)

;; Czech devoices a voiced obstruent before a pause, and the Czech databases hold few voiced-obstruent-pause
;; diphones, so the map does what a Czech speaker would.
(set! acc_czech_final_devoicing '(("b" "p") ("d" "t") ("g" "k") ("v" "f") ("z" "s") ("z~" "s~") ("dz~" "c~")))
(define (acc_devoice_finals utt pairs)
  (mapcar
   (lambda (s)
     (let ((pair (assoc_string (item.name s) pairs)))
       (if (and pair (string-equal "#" (item.feat s "n.name")))
           (item.set_name s (cadr pair)))))
   (utt.relation.items utt 'Segment))
  utt)

(set! acc_spanish '(
 ("pau" ("#")) ("h#" ("#")) ("brth" ("#"))
 ("aa" ("a")) ("ae" ("a")) ("ah" ("a")) ("ao" ("o")) ("aw" ("a" "u")) ("ax" ("e")) ("axr" ("e" "r"))
 ("ay" ("a" "i")) ("eh" ("e")) ("er" ("e" "r")) ("ey" ("e" "i")) ("ih" ("i")) ("iy" ("i")) ("ow" ("o" "u"))
 ("oy" ("o" "i")) ("uh" ("u")) ("uw" ("u"))
 ("b" ("b")) ("ch" ("ch")) ("d" ("d")) ("dh" ("d")) ("dx" ("r")) ("el" ("e" "l")) ("em" ("e" "m")) ("en" ("e" "n"))
 ("f" ("f")) ("g" ("g")) ("hh" ("x")) ("hv" ("x")) ("jh" ("ll")) ("k" ("k")) ("l" ("l")) ("m" ("m")) ("n" ("n"))
 ("nx" ("n")) ("ng" ("n")) ("p" ("p")) ("r" ("r")) ("s" ("s")) ("sh" ("ch")) ("t" ("t")) ("th" ("th")) ("v" ("b"))
 ("w" ("u")) ("y" ("ll")) ("z" ("s")) ("zh" ("ll"))))

(set! acc_finnish '(
 ("pau" ("#")) ("h#" ("#")) ("brth" ("#"))
 ("aa" ("a:")) ("ae" ("&")) ("ah" ("a")) ("ao" ("o:")) ("aw" ("a" "u")) ("ax" ("@")) ("axr" ("@" "r"))
 ("ay" ("a" "i")) ("eh" ("e")) ("er" ("@" "r")) ("ey" ("e" "i")) ("ih" ("i")) ("iy" ("i:")) ("ow" ("o" "u"))
 ("oy" ("o" "i")) ("uh" ("u")) ("uw" ("u:"))
 ("b" ("b")) ("ch" ("t" "s")) ("d" ("d")) ("dh" ("d")) ("dx" ("d")) ("el" ("@" "l")) ("em" ("@" "m")) ("en" ("@" "n"))
 ("f" ("f")) ("g" ("g")) ("hh" ("h")) ("hv" ("h")) ("jh" ("d" "s")) ("k" ("k")) ("l" ("l")) ("m" ("m")) ("n" ("n"))
 ("nx" ("n")) ("ng" ("N")) ("p" ("p")) ("r" ("r")) ("s" ("s")) ("sh" ("s")) ("t" ("t")) ("th" ("T")) ("v" ("v"))
 ("w" ("v")) ("y" ("j")) ("z" ("s")) ("zh" ("s"))))

(set! acc_czech '(
 ("pau" ("#")) ("h#" ("#")) ("brth" ("#"))
 ("aa" ("a:")) ("ae" ("e")) ("ah" ("a")) ("ao" ("o:")) ("aw" ("a" "u")) ("ax" ("e")) ("axr" ("e" "r"))
 ("ay" ("a" "j")) ("eh" ("e")) ("er" ("e" "r")) ("ey" ("e" "j")) ("ih" ("i")) ("iy" ("i:")) ("ow" ("o" "u"))
 ("oy" ("o" "j")) ("uh" ("u")) ("uw" ("u:"))
 ("b" ("b")) ("ch" ("c~")) ("d" ("d")) ("dh" ("d")) ("dx" ("d")) ("el" ("e" "l")) ("em" ("e" "m")) ("en" ("e" "n"))
 ("f" ("f")) ("g" ("g")) ("hh" ("h")) ("hv" ("h")) ("jh" ("dz~")) ("k" ("k")) ("l" ("l")) ("m" ("m")) ("n" ("n"))
 ("nx" ("n")) ("ng" ("n")) ("p" ("p")) ("r" ("r")) ("s" ("s")) ("sh" ("s~")) ("t" ("t")) ("th" ("t")) ("v" ("v"))
 ("w" ("v")) ("y" ("j")) ("z" ("z")) ("zh" ("z~"))))

;; The Italian speakers (lp_diphone, pc_diphone) are not among them: their LPC databases clip through kal_diphone's
;; synthesis (5-12 % of the samples at full scale), and us_gain does not reach UniSyn's output.
;; (speaker, phone table, selects its database, F0 mean in Hz, final devoicing pairs or nil)
(set! acc_speakers (list
 (list 'el_diphone acc_spanish (lambda () (us_db_select 'el_lpc_group)) 110 nil)
 (list 'suo_fi_lj_diphone acc_finnish (lambda () (us_db_select suo_fi_lj_db_name)) 190 nil)
 (list 'hy_fi_mv_diphone acc_finnish (lambda () (us_db_select hy_fi_mv_db_name)) 110 nil)
 (list 'czech_dita acc_czech (lambda () (us_db_select 'czech_dita)) 222 acc_czech_final_devoicing)
 (list 'czech_krb acc_czech (lambda () (us_db_select 'czech_krb)) 258 acc_czech_final_devoicing)
 (list 'czech_machac acc_czech (lambda () (us_db_select 'czech_machac)) 90 acc_czech_final_devoicing)
 (list 'czech_ph acc_czech (lambda () (us_db_select 'czech_ph)) 136 acc_czech_final_devoicing)))

(define (acc_voice name)
  "(acc_voice NAME)
English with the front end of kal_diphone and the diphones of the non-English festival speaker NAME
(el_diphone, czech_ph...), at that speaker's own F0."
  (let ((speaker (assoc name acc_speakers)))
    (if (null speaker) (error "no accented festival speaker" name))
    (eval (list (intern (string-append "voice_" name))))
    (voice_kal_diphone)
    (set! int_lr_params
          (list (list 'target_f0_mean (nth 3 speaker)) (list 'target_f0_std (* 0.14 (nth 3 speaker)))
                '(model_f0_mean 170) '(model_f0_std 34)))
    (set! UniSyn_module_hooks
          (list (lambda (utt)
                  (acc_map_segments utt (nth 1 speaker))
                  (if (nth 4 speaker) (acc_devoice_finals utt (nth 4 speaker)))
                  ((nth 2 speaker)))))))
