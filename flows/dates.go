package flows

import (
	"fmt"
	"strconv"
	"time"
)

// Forms of a date the catalog can say, each a key "date.FORM" whose
// placeholders are {weekday} (Monday), {wd} (Mon), {day} (2), {month}
// (January), {mon} (Jan) and {time} (15:04). Each language orders them its own
// way: "Monday 2 January", "Montag, 2. Januar".
const (
	dateWeekday     = "weekday"      // Monday
	dateDay         = "day"          // Monday 2 January
	dateShort       = "short"        // Mon 2 Jan
	dateDayTime     = "day_time"     // Monday 2 January, 15:04
	dateWeekdayTime = "weekday_time" // Monday 15:04
)

// Date says t (already in the zone it is meant in) in the given form.
func (c *Catalog) Date(t time.Time, form string) string {
	wd, m := int(t.Weekday()), int(t.Month())
	return c.Text("date."+form,
		"weekday", c.Text(fmt.Sprintf("date.weekday.%d", wd)), "wd", c.Text(fmt.Sprintf("date.wd.%d", wd)),
		"day", strconv.Itoa(t.Day()),
		"month", c.Text(fmt.Sprintf("date.month.%d", m)), "mon", c.Text(fmt.Sprintf("date.mon.%d", m)),
		"time", t.Format("15:04"))
}

// date says t in the language of the person this session speaks to.
func (s *Session) date(t time.Time, form string) string { return s.catalog().Date(t, form) }
