package dev.speechmamba.text;

import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns written English into the spoken form used for both TTS input and transcripts, so that what the
 * engine says and what the model must write agree: numbers (cardinals, ordinals, years, decimals, money,
 * percentages, decades) and the symbols {@code % $ £ € & + @ =} become words; accents are stripped
 * ({@code café -> cafe}); everything is lower case; the only punctuation kept is the apostrophe inside a word
 * ({@code don't}); whitespace is collapsed to single spaces. The result contains only {@code [a-z' ]}.
 */
public final class TextNormalizer {
    private static final Pattern NUMBER = Pattern.compile(
            "(?<cur>[$£€])\\s?(?<mnum>\\d[\\d,]*\\d|\\d)(?<mfrac>\\.\\d+)?"
                    + "|(?<neg>(?<![\\w.])-)?(?<num>\\d[\\d,]*\\d|\\d)(?<frac>\\.\\d+)?"
                    + "(?<suf>st|nd|rd|th|s|'s)?(?![a-zA-Z])(?<pct>\\s?%)?");
    private static final Pattern GROUPED = Pattern.compile("\\d{1,3}(,\\d{3})+");
    private static final Pattern COMBINING = Pattern.compile("\\p{M}+");
    private static final Pattern NOT_SPOKEN = Pattern.compile("[^a-z']+");
    private static final Pattern LOOSE_APOSTROPHE = Pattern.compile("(?<![a-z])'|'(?![a-z])");
    private static final Pattern SPACES = Pattern.compile("\\s+");
    /** Beyond this many digits a number is read digit by digit (phone numbers, serials). */
    private static final int MAX_CARDINAL_DIGITS = 15;

    private TextNormalizer() { }

    /** The spoken, lower-case, punctuation-free form of {@code text}; empty when nothing speakable remains. */
    public static String normalize(String text) {
        if (text == null) throw new IllegalArgumentException("normalize: text is null");
        String s = text.replace('\u2019', '\'').replace('\u2018', '\'').replace('`', '\'');
        s = COMBINING.matcher(Normalizer.normalize(s, Normalizer.Form.NFKD)).replaceAll("");
        s = s.replace("&", " and ").replace("+", " plus ").replace("@", " at ").replace("=", " equals ");
        s = spellNumbers(s);
        s = s.replace("%", " percent ");
        s = s.toLowerCase(Locale.ROOT);
        s = NOT_SPOKEN.matcher(s).replaceAll(" ");
        s = LOOSE_APOSTROPHE.matcher(s).replaceAll(" ");
        return SPACES.matcher(s).replaceAll(" ").strip();
    }

    private static String spellNumbers(String s) {
        Matcher m = NUMBER.matcher(s);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            out.append(s, last, m.start()).append(' ');
            if (m.group("cur") != null) {
                out.append(money(m.group("cur").charAt(0), m.group("mnum"), m.group("mfrac")));
            } else {
                String words = number(m.group("num"), m.group("frac"), m.group("suf"), m.group("pct") != null);
                if (m.group("neg") != null) words = "minus " + words;
                out.append(words);
                if (m.group("pct") != null) out.append(" percent");
            }
            out.append(' ');
            last = m.end();
        }
        return out.append(s, last, s.length()).toString();
    }

    private static String number(String integer, String fraction, String suffix, boolean percent) {
        if (integer.contains(",")) {
            if (!GROUPED.matcher(integer).matches()) {
                // "1,2,3" is a list, not a grouped number: read each part.
                StringBuilder parts = new StringBuilder();
                for (String part : integer.split(",")) parts.append(number(part, null, null, false)).append(' ');
                return parts.toString().strip() + (fraction != null ? " point " + NumberWords.digits(fraction.substring(1)) : "");
            }
            integer = integer.replace(",", "");
        }
        if (fraction != null) return cardinalOrDigits(integer) + " point " + NumberWords.digits(fraction.substring(1));
        if (suffix != null) {
            switch (suffix) {
                case "st", "nd", "rd", "th" -> {
                    return integer.length() > MAX_CARDINAL_DIGITS ? NumberWords.digits(integer) + " " + suffix
                            : NumberWords.ordinal(Long.parseLong(integer));
                }
                case "s", "'s" -> {
                    // Decades and plurals: "1990s" -> "nineteen nineties", "7s" -> "sevens".
                    String words = asYearOrCardinal(integer, percent);
                    return words.endsWith("y") ? words.substring(0, words.length() - 1) + "ies"
                            : words.endsWith("x") ? words + "es" : words + "s";
                }
                default -> throw new IllegalStateException("unexpected number suffix " + suffix);
            }
        }
        return asYearOrCardinal(integer, percent);
    }

    private static String asYearOrCardinal(String integer, boolean percent) {
        if (!percent && integer.length() == 4 && integer.charAt(0) != '0') {
            int value = Integer.parseInt(integer);
            if (value >= 1100 && value <= 2099) return NumberWords.year(value);
        }
        return cardinalOrDigits(integer);
    }

    private static String cardinalOrDigits(String integer) {
        if (integer.length() > MAX_CARDINAL_DIGITS) return NumberWords.digits(integer);
        return NumberWords.cardinal(Long.parseLong(integer));
    }

    private static String money(char currency, String integer, String fraction) {
        String major = switch (currency) { case '$' -> "dollar"; case '£' -> "pound"; default -> "euro"; };
        String minor = currency == '£' ? "pence" : "cents";
        String units = integer.replace(",", "");
        if (!GROUPED.matcher(integer).matches() && integer.contains(",")) {
            return number(integer, fraction, null, false) + " " + major + "s";
        }
        if (fraction != null && fraction.length() > 3) {
            return cardinalOrDigits(units) + " point " + NumberWords.digits(fraction.substring(1)) + " " + major + "s";
        }
        String majorWords = cardinalOrDigits(units) + " " + major + (units.equals("1") ? "" : "s");
        if (fraction == null) return majorWords;
        int cents = Integer.parseInt(fraction.length() == 2 ? fraction.substring(1) + "0" : fraction.substring(1));
        if (cents == 0) return majorWords;
        String centWords = NumberWords.cardinal(cents) + " "
                + (cents == 1 && currency != '£' ? "cent" : cents == 1 ? "penny" : minor);
        return units.matches("0+") ? centWords : majorWords + " and " + centWords;
    }
}
