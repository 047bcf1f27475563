package dev.speechmamba.text;

/** Spells numbers as English words the way a reader would say them: cardinals, ordinals and years. */
public final class NumberWords {
    private static final String[] ONES = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
            "nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
            "nineteen"};
    private static final String[] TENS = {"", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
            "ninety"};
    private static final String[] SCALES = {"", "thousand", "million", "billion", "trillion", "quadrillion",
            "quintillion"};

    private NumberWords() { }

    /** {@code 1234 -> "one thousand two hundred thirty four"}; negative numbers start with "minus". */
    public static String cardinal(long n) {
        if (n == 0) return "zero";
        if (n == Long.MIN_VALUE) throw new IllegalArgumentException("cannot spell " + n + " (its magnitude overflows a long)");
        if (n < 0) return "minus " + cardinal(-n);
        StringBuilder out = new StringBuilder();
        int scale = 0;
        while (n > 0) {
            int group = (int) (n % 1000);
            if (group > 0) {
                String words = belowThousand(group) + (scale > 0 ? " " + SCALES[scale] : "");
                out.insert(0, out.isEmpty() ? words : words + " ");
            }
            n /= 1000;
            scale++;
        }
        return out.toString();
    }

    private static String belowThousand(int n) {
        StringBuilder out = new StringBuilder();
        if (n >= 100) {
            out.append(ONES[n / 100]).append(" hundred");
            n %= 100;
            if (n > 0) out.append(' ');
        }
        if (n > 0) out.append(belowHundred(n));
        return out.toString();
    }

    private static String belowHundred(int n) {
        if (n < 20) return ONES[n];
        return n % 10 == 0 ? TENS[n / 10] : TENS[n / 10] + " " + ONES[n % 10];
    }

    /** {@code 21 -> "twenty first"}, {@code 100 -> "one hundredth"}. */
    public static String ordinal(long n) {
        if (n < 0) throw new IllegalArgumentException("ordinal of a negative number: " + n);
        String words = cardinal(n);
        int lastSpace = words.lastIndexOf(' ');
        String head = words.substring(0, lastSpace + 1);
        String last = words.substring(lastSpace + 1);
        return head + switch (last) {
            case "one" -> "first";
            case "two" -> "second";
            case "three" -> "third";
            case "five" -> "fifth";
            case "eight" -> "eighth";
            case "nine" -> "ninth";
            case "twelve" -> "twelfth";
            default -> last.endsWith("y") ? last.substring(0, last.length() - 1) + "ieth" : last + "th";
        };
    }

    /**
     * Spells a year: {@code 1984 -> "nineteen eighty four"}, {@code 1905 -> "nineteen oh five"},
     * {@code 1900 -> "nineteen hundred"}, {@code 2005 -> "two thousand five"}, {@code 2019 -> "twenty nineteen"}.
     */
    public static String year(int year) {
        if (year < 1000 || year > 9999) return cardinal(year);
        int high = year / 100;
        int low = year % 100;
        if (year % 1000 < 10 && high % 10 == 0) {
            // 2000..2009, 1000..1009: "two thousand five" is how these are said.
            return cardinal(year);
        }
        if (low == 0) return belowHundred(high) + " hundred";
        return belowHundred(high) + " " + (low < 10 ? "oh " + ONES[low] : belowHundred(low));
    }

    /** Reads each digit: {@code "0705" -> "zero seven zero five"} (decimal fractions, codes). */
    public static String digits(CharSequence digits) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') throw new IllegalArgumentException("not a digit '" + c + "' in \"" + digits + "\"");
            if (!out.isEmpty()) out.append(' ');
            out.append(ONES[c - '0']);
        }
        return out.toString();
    }
}
