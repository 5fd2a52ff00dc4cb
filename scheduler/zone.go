package scheduler

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// placeSpelling folds the ways people write a place name.
var placeSpelling = strings.NewReplacer("_", " ", ".", "")

// zoneWords maps what people type when asked "where are you?" to an IANA zone.
// Keys are normalised by zoneKey. Countries spanning several zones (USA, Canada,
// Australia, Russia) are left out on purpose: guessing there would be wrong for
// many people, and the engine can ask for a city instead.
var zoneWords = map[string]string{
	"utc": "UTC", "gmt": "UTC", "z": "UTC", "zulu": "UTC", "universal": "UTC",

	"zurich": "Europe/Zurich", "zürich": "Europe/Zurich", "geneva": "Europe/Zurich",
	"bern": "Europe/Zurich", "basel": "Europe/Zurich", "lausanne": "Europe/Zurich",
	"switzerland": "Europe/Zurich", "schweiz": "Europe/Zurich", "suisse": "Europe/Zurich",
	"london": "Europe/London", "uk": "Europe/London", "united kingdom": "Europe/London",
	"england": "Europe/London", "britain": "Europe/London", "scotland": "Europe/London",
	"edinburgh": "Europe/London", "manchester": "Europe/London",
	"dublin": "Europe/Dublin", "ireland": "Europe/Dublin",
	"lisbon": "Europe/Lisbon", "portugal": "Europe/Lisbon",
	"berlin": "Europe/Berlin", "germany": "Europe/Berlin", "deutschland": "Europe/Berlin",
	"munich": "Europe/Berlin", "münchen": "Europe/Berlin", "hamburg": "Europe/Berlin",
	"frankfurt": "Europe/Berlin", "cologne": "Europe/Berlin",
	"paris": "Europe/Paris", "france": "Europe/Paris", "lyon": "Europe/Paris",
	"madrid": "Europe/Madrid", "barcelona": "Europe/Madrid", "spain": "Europe/Madrid",
	"rome": "Europe/Rome", "milan": "Europe/Rome", "italy": "Europe/Rome",
	"amsterdam": "Europe/Amsterdam", "netherlands": "Europe/Amsterdam", "holland": "Europe/Amsterdam",
	"brussels": "Europe/Brussels", "belgium": "Europe/Brussels", "luxembourg": "Europe/Luxembourg",
	"vienna": "Europe/Vienna", "wien": "Europe/Vienna", "austria": "Europe/Vienna",
	"copenhagen": "Europe/Copenhagen", "denmark": "Europe/Copenhagen",
	"oslo": "Europe/Oslo", "norway": "Europe/Oslo",
	"stockholm": "Europe/Stockholm", "sweden": "Europe/Stockholm",
	"helsinki": "Europe/Helsinki", "finland": "Europe/Helsinki",
	"warsaw": "Europe/Warsaw", "poland": "Europe/Warsaw",
	"prague": "Europe/Prague", "czechia": "Europe/Prague", "czech republic": "Europe/Prague",
	"budapest": "Europe/Budapest", "hungary": "Europe/Budapest",
	"athens": "Europe/Athens", "greece": "Europe/Athens",
	"bucharest": "Europe/Bucharest", "romania": "Europe/Bucharest",
	"kyiv": "Europe/Kyiv", "kiev": "Europe/Kyiv", "ukraine": "Europe/Kyiv",
	"istanbul": "Europe/Istanbul", "turkey": "Europe/Istanbul", "türkiye": "Europe/Istanbul", "moscow": "Europe/Moscow",
	"reykjavik": "Atlantic/Reykjavik", "iceland": "Atlantic/Reykjavik",

	"new york": "America/New_York", "nyc": "America/New_York", "boston": "America/New_York",
	"washington": "America/New_York", "washington dc": "America/New_York", "philadelphia": "America/New_York",
	"miami": "America/New_York", "atlanta": "America/New_York", "detroit": "America/Detroit",
	"toronto": "America/Toronto", "montreal": "America/Toronto", "ottawa": "America/Toronto",
	"chicago": "America/Chicago", "dallas": "America/Chicago", "houston": "America/Chicago",
	"austin": "America/Chicago", "minneapolis": "America/Chicago",
	"denver": "America/Denver", "salt lake city": "America/Denver", "calgary": "America/Edmonton",
	"phoenix": "America/Phoenix", "arizona": "America/Phoenix",
	"los angeles": "America/Los_Angeles", "la": "America/Los_Angeles", "san francisco": "America/Los_Angeles",
	"sf": "America/Los_Angeles", "seattle": "America/Los_Angeles", "portland": "America/Los_Angeles",
	"san diego": "America/Los_Angeles", "california": "America/Los_Angeles",
	"vancouver": "America/Vancouver", "anchorage": "America/Anchorage", "alaska": "America/Anchorage",
	"honolulu": "Pacific/Honolulu", "hawaii": "Pacific/Honolulu",
	"mexico city": "America/Mexico_City", "mexico": "America/Mexico_City",
	"bogota": "America/Bogota", "bogotá": "America/Bogota", "colombia": "America/Bogota",
	"lima": "America/Lima", "peru": "America/Lima",
	"santiago": "America/Santiago", "chile": "America/Santiago",
	"buenos aires": "America/Argentina/Buenos_Aires", "argentina": "America/Argentina/Buenos_Aires",
	"sao paulo": "America/Sao_Paulo", "são paulo": "America/Sao_Paulo", "rio": "America/Sao_Paulo",
	"rio de janeiro": "America/Sao_Paulo", "brazil": "America/Sao_Paulo", "brasil": "America/Sao_Paulo",

	"cairo": "Africa/Cairo", "egypt": "Africa/Cairo",
	"lagos": "Africa/Lagos", "nigeria": "Africa/Lagos",
	"nairobi": "Africa/Nairobi", "kenya": "Africa/Nairobi",
	"johannesburg": "Africa/Johannesburg", "cape town": "Africa/Johannesburg", "south africa": "Africa/Johannesburg",
	"casablanca": "Africa/Casablanca", "morocco": "Africa/Casablanca",

	"jerusalem": "Asia/Jerusalem", "tel aviv": "Asia/Jerusalem", "israel": "Asia/Jerusalem",
	"dubai": "Asia/Dubai", "abu dhabi": "Asia/Dubai", "uae": "Asia/Dubai",
	"riyadh": "Asia/Riyadh", "saudi arabia": "Asia/Riyadh",
	"tehran": "Asia/Tehran", "iran": "Asia/Tehran",
	"karachi": "Asia/Karachi", "pakistan": "Asia/Karachi",
	"mumbai": "Asia/Kolkata", "bombay": "Asia/Kolkata", "delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata",
	"bangalore": "Asia/Kolkata", "bengaluru": "Asia/Kolkata", "chennai": "Asia/Kolkata",
	"hyderabad": "Asia/Kolkata", "pune": "Asia/Kolkata", "kolkata": "Asia/Kolkata", "calcutta": "Asia/Kolkata",
	"india": "Asia/Kolkata", "goa": "Asia/Kolkata",
	"colombo": "Asia/Colombo", "sri lanka": "Asia/Colombo",
	"kathmandu": "Asia/Kathmandu", "nepal": "Asia/Kathmandu",
	"dhaka": "Asia/Dhaka", "bangladesh": "Asia/Dhaka",
	"bangkok": "Asia/Bangkok", "thailand": "Asia/Bangkok",
	"ho chi minh": "Asia/Ho_Chi_Minh", "ho chi minh city": "Asia/Ho_Chi_Minh", "saigon": "Asia/Ho_Chi_Minh",
	"hanoi": "Asia/Ho_Chi_Minh", "vietnam": "Asia/Ho_Chi_Minh",
	"jakarta": "Asia/Jakarta", "kuala lumpur": "Asia/Kuala_Lumpur", "malaysia": "Asia/Kuala_Lumpur",
	"singapore": "Asia/Singapore", "manila": "Asia/Manila", "philippines": "Asia/Manila",
	"hong kong": "Asia/Hong_Kong", "taipei": "Asia/Taipei", "taiwan": "Asia/Taipei",
	"beijing": "Asia/Shanghai", "shanghai": "Asia/Shanghai", "shenzhen": "Asia/Shanghai", "china": "Asia/Shanghai",
	"seoul": "Asia/Seoul", "korea": "Asia/Seoul", "south korea": "Asia/Seoul",
	"tokyo": "Asia/Tokyo", "osaka": "Asia/Tokyo", "japan": "Asia/Tokyo",

	"perth": "Australia/Perth", "darwin": "Australia/Darwin", "adelaide": "Australia/Adelaide",
	"brisbane": "Australia/Brisbane", "sydney": "Australia/Sydney", "canberra": "Australia/Sydney",
	"melbourne": "Australia/Melbourne", "hobart": "Australia/Hobart",
	"auckland": "Pacific/Auckland", "wellington": "Pacific/Auckland", "new zealand": "Pacific/Auckland",
}

// zoneNameExceptions are IANA names whose capitalisation titleZone does not
// rebuild, keyed by their lowercase form.
var zoneNameExceptions = map[string]string{
	"antarctica/dumontdurville":        "Antarctica/DumontDUrville",
	"antarctica/mcmurdo":               "Antarctica/McMurdo",
	"america/argentina/comodrivadavia": "America/Argentina/ComodRivadavia",
	"america/port-au-prince":           "America/Port-au-Prince",
	"africa/dar_es_salaam":             "Africa/Dar_es_Salaam",
	"america/knox_in":                  "America/Knox_IN",
	"us/east-indiana":                  "US/East-Indiana",
}

// ParseZone finds a time zone from what a person types: an IANA name in any case
// ("europe/zurich", "America/New_York"), a common city or country ("Zurich",
// "new york", "India", "Kathmandu"), or a fixed offset ("UTC+2", "GMT-03:00",
// "+05:30"). It never returns the machine's local zone, which would make a
// person's schedule depend on where the bot happens to run. Unknown input is an
// ErrZone.
//
// The returned location's String() is a name ParseZone reads back, so it is what
// to store.
func ParseZone(s string) (*time.Location, error) {
	loc, ok := parseZone(s)
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrZone, s)
	}
	return loc, nil
}

func parseZone(s string) (*time.Location, bool) {
	s = strings.TrimSpace(s)
	key := zoneKey(s)
	if key == "" || key == "local" {
		return nil, false
	}
	if name, ok := zoneWords[key]; ok {
		return loadZone(name)
	}
	if loc, ok := fixedZone(key); ok {
		return loc, true
	}
	if strings.ContainsAny(s, " ") && !strings.Contains(s, "/") {
		return nil, false
	}
	name := strings.ReplaceAll(s, " ", "_")
	typedCase := ""
	if name != strings.ToLower(name) {
		typedCase = name // the person may have typed the canonical spelling
	}
	// Try rebuilt capitalisation before the text as typed: on a case-insensitive
	// file system "europe/zurich" would load, but under a name that is not canonical.
	for _, candidate := range []string{
		zoneNameExceptions[strings.ToLower(name)],
		typedCase,
		titleZone(name),
		strings.ToUpper(name),
		name,
	} {
		if candidate == "" {
			continue
		}
		if loc, ok := loadZone(candidate); ok {
			return loc, true
		}
	}
	return nil, false
}

// loadZone refuses the names time.LoadLocation treats specially ("" and "Local"),
// so the answer never depends on the host.
func loadZone(name string) (*time.Location, bool) {
	if name == "" || strings.EqualFold(name, "local") {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, false
	}
	return loc, true
}

// zoneKey lowercases and collapses spaces, underscores and dots, so "New_York",
// "new  york" and "N.Y.C." style variants meet the table.
func zoneKey(s string) string {
	s = strings.ToLower(s)
	s = placeSpelling.Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// titleZone rebuilds IANA capitalisation: each word capitalised, except joining
// words ("of", "es", "au") and the letter codes GMT/UTC/US: "america/port_of_spain"
// becomes "America/Port_of_Spain", "etc/gmt+5" becomes "Etc/GMT+5".
func titleZone(s string) string {
	var b strings.Builder
	word := func(w string) {
		lw := strings.ToLower(w)
		switch lw {
		case "of", "es", "au", "de":
			b.WriteString(lw)
		case "gmt", "utc", "uct", "us", "uk", "nz", "prc", "roc", "rok", "gb", "cet", "eet", "met", "wet", "est", "mst", "hst":
			b.WriteString(strings.ToUpper(lw))
		default:
			if lw == "" {
				return
			}
			b.WriteString(strings.ToUpper(lw[:1]) + lw[1:])
		}
	}
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || strings.ContainsRune("/_-+", rune(s[i])) {
			w := s[start:i]
			// Keep the sign and digits of "GMT+5" as they are.
			if start > 0 && (s[start-1] == '+' || s[start-1] == '-') && isDigits(w) {
				b.WriteString(w)
			} else {
				word(w)
			}
			if i < len(s) {
				b.WriteByte(s[i])
			}
			start = i + 1
		}
	}
	return b.String()
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// fixedZone reads "utc+2", "gmt-3:30", "+05:30" as a zone with a fixed offset,
// named "UTC+05:30" so that ParseZone reads the stored name back. Such a zone has
// no daylight saving; a city is the better answer where the clocks change.
func fixedZone(key string) (*time.Location, bool) {
	rest := key
	for _, prefix := range []string{"utc", "gmt"} {
		if strings.HasPrefix(key, prefix) {
			rest = key[len(prefix):]
			break
		}
	}
	rest = strings.ReplaceAll(rest, " ", "")
	if len(rest) < 2 || (rest[0] != '+' && rest[0] != '-') {
		return nil, false
	}
	sign := 1
	if rest[0] == '-' {
		sign = -1
	}
	hourText, minuteText, hasColon := strings.Cut(rest[1:], ":")
	if !hasColon && len(hourText) == 4 {
		hourText, minuteText = hourText[:2], hourText[2:]
	}
	if minuteText == "" {
		minuteText = "0"
	}
	hours, err1 := strconv.Atoi(hourText)
	minutes, err2 := strconv.Atoi(minuteText)
	if err1 != nil || err2 != nil || !isDigits(hourText) || !isDigits(minuteText) ||
		hours > 14 || minutes > 59 || (hours == 14 && minutes > 0) {
		return nil, false
	}
	offset := sign * (hours*3600 + minutes*60)
	if offset == 0 {
		return time.UTC, true
	}
	signText := "+"
	if sign < 0 {
		signText = "-"
	}
	return time.FixedZone(fmt.Sprintf("UTC%s%02d:%02d", signText, hours, minutes), offset), true
}
