package outcome

import "strings"

// class is what a word can tell us. A word may carry several classes: "book" is
// a verb of doing ("book the dentist") and a large-scale object ("write a book").
// Which one counts depends on where the word stands (see reading.head).
type class uint32

const (
	// Verb classes count only for the head verb of what the client wrote.
	cErrand   class = 1 << iota // a verb of doing with a small, reachable object: email, call, book
	cProject                    // a verb that makes or completes its object: write, start, buy, get
	cResult                     // a verb that names a change of result: grow, improve, lose
	cCopula                     // a verb of being: be, become, feel
	cLearn                      // learning a whole skill: learn, master, study
	cStop                       // breaking a habit: stop, quit, give up
	cActivity                   // an activity that is a step once sized and a habit when not: walk, meditate
	// Word classes count wherever the word stands, except at the head.
	cState       // a state or quality to be in: confident, fit, calmer
	cComparative // more, less, better: a change measured against now
	cHabit       // every day, regularly: a pattern rather than an occasion
	cIdentity    // someone who, the kind of person: an identity to grow into
	cBig         // a large-scale object: a book, a marathon, a business, my career
	cSkill       // a whole skill: Spanish, piano, public speaking
	cSmall       // a small unit of work: a page, a paragraph, a lap, a lesson
	cEffortUnit  // a unit that counts effort: minutes, pages, push-ups
	cResultUnit  // a unit that counts a result: kg, percent, followers
	cPerson      // someone to reach: mum, my boss, the landlord
	cService     // an errand's object: a haircut, an appointment, the dentist
	cAnchor      // a time the step happens: tonight, on Thursday, after lunch
	cWeakAnchor  // a loose time: this week, soon
	cHorizon     // a time horizon for a result: this year, by summer, one day
	cNumber      // a number word: one, three, a couple
	cDeterminer  // a, the, my: what follows is a noun, not a verb
	cDefinite    // the, this, that: a particular thing already there
	cTimeWord    // at, by, before, after: a clock time may follow
	cWeekday     // monday, dienstag
	cDayPart     // lunch, bed, work: after or before one of these is an anchor
	cNew         // new: something to gain that is not there yet
	cStandard    // under, without stopping: a standard to meet
)

// verbClasses are the classes that belong to a word only when it is the head verb.
const verbClasses = cErrand | cProject | cResult | cCopula | cLearn | cStop | cActivity

// words lists the vocabulary by class, English then German. German words are
// folded (ä to a, ß to ss) when the lexicon is built, as are the client's words.
var words = []struct {
	class class
	list  string
}{
	{cErrand, `
		email mail call phone ring text message book schedule send ask tell buy order print
		sign_up register cancel pay fill_in reply respond post visit invite pack put set
		set_up turn_off switch_off delete unsubscribe download install research look_up
		google check update prepare prep draft outline list jot write_down block rehearse
		try attend join renew weigh throw_away tidy clean hug introduce decline return
		water bake pick choose leave swap replace watch listen record share bring clear
		review proofread contact talk thank apply reach_out submit sign rent plan say_no
		remind drop
		anrufen rufe ruf anschreiben buchen kaufen kaufe schicken schicke senden
		fragen frage mailen absagen bezahlen aufraumen putzen`},
	{cProject, `
		write start launch finish publish create found run do build make complete buy get
		have find own open move
		schreiben starten grunden laufen kaufen finden machen eroffnen`},
	{cResult, `
		grow improve increase boost achieve reach double triple scale transform develop
		lose gain earn save change switch overcome heal recover reduce lower land win hit
		pass retire build fix solve beat expand strengthen deepen love accept trust avoid
		prevent maintain enjoy launch publish found get_over get_rid figure_out sort_out pay_off
		take_care look_after speak_up stand_up make_partner
		ausbauen abnehmen zunehmen verbessern steigern erreichen verdienen sparen wachsen
		aufbauen grunden`},
	{cCopula, `
		be become feel stay sein werden bin fuhlen`},
	{cLearn, `
		learn master study speak lernen beherrschen`},
	{cStop, `
		stop quit give_up cut_down cut_back cut_out kick aufhoren`},
	{cActivity, `
		walk run jog swim cycle bike meditate journal stretch exercise train work_out yoga
		gym running swimming jogging walking workout read cook eat drink sleep practise
		practice play dance climb hike breathe rest
		spazieren laufen joggen meditieren schwimmen lesen sport trainieren essen schlafen
		spazieren_gehen`},
	{cState, `
		confident fit healthy happy calm relaxed organised organized productive focused
		disciplined consistent patient assertive present creative kind brave authentic
		independent successful rich wealthy strong slim thin lean fluent proactive
		outgoing social visible reliable resilient motivated energetic balanced grounded
		lonely anxious stressed tired afraid overwhelmed reactive good great best promoted
		proud
		debt_free free in_shape on_track in_order calmer fitter braver kinder richer slimmer thinner leaner stronger
		smarter wiser
		gesund gesunder glucklich glucklicher ruhig ruhiger selbstbewusst selbstbewusster
		entspannt entspannter starker stark schlank produktiv organisiert geduldig
		geduldiger mutig mutiger`},
	{cComparative, `
		more less fewer better mehr weniger besser ofter`},
	{cHabit, `
		every_day each_day every_morning every_evening every_night every_week each_week
		all_the_time often on_a_regular_basis during_the_week mondays tuesdays wednesdays
		thursdays fridays saturdays sundays weekends weeknights mornings evenings nights most_days daily regularly consistently
		always never habit habits routine
		jeden_tag taglich regelmassig immer`},
	{cIdentity, `
		become werden
		someone_who the_kind_of_person the_type_of_person the_sort_of_person
		version_of_myself person_who kind_of_person`},
	{cBig, `
		book novel memoir screenplay marathon half_marathon triathlon ironman business company
		startup bakery career job promotion raise pay_rise degree phd thesis masters
		diploma licence license house life health weight body fitness relationship
		marriage finances money debt confidence purpose balance work_life_balance stress
		anxiety fear burnout sleep diet mindset brand personal_brand following audience
		revenue sales income salary boundaries target dream independence retirement
		partner energy abroad driving_test black_belt blood_pressure social_media
		self_esteem leadership practice time
		buch roman geschaft firma unternehmen karriere stelle leben gesundheit gewicht
		beziehung ehe finanzen`},
	{cSkill, `
		spanish french german italian english chinese mandarin japanese portuguese arabic
		russian dutch greek guitar piano violin drums cello ukulele code coding
		programming python javascript chess photography public_speaking negotiation
		cooking drawing painting dancing singing knitting salsa tennis golf
		machine_learning
		spanisch franzosisch englisch italienisch deutsch gitarre klavier`},
	{cSmall, `
		page paragraph sentence line chapter scene lesson episode lap rep note draft
		outline list todo_list post photo question task step session class talk video
		glass email message call paragraph agenda slide intro item
		seite kapitel absatz satz`},
	{cEffortUnit, `
		minute min mins hour hr hrs second page chapter paragraph line word lesson episode
		lap pushup squat rep km mile email message call thing question task photo post
		glass session class time proposal newsletter chord set
		minute minuten stunde stunden seite seiten kapitel liegestutze mail mails`},
	{cResultUnit, `
		kg kilo kilos kilogram kilograms pound pounds lbs lb stone percent % euros euro
		dollars dollar grand figures subscribers followers books clients customers
		€ $ £`},
	{cPerson, `
		mum mom mother dad father parents sister brother son daughter kids wife husband
		boyfriend girlfriend friend boss manager colleague coworker grandma grandpa
		granny neighbour neighbor landlord mentor coach teacher recruiter recruiters
		team family
		mutter mama vater papa eltern schwester bruder sohn tochter chef chefin kollege
		kollegin freund freundin nachbar`},
	{cService, `
		haircut appointment dentist therapist doctor gp trainer accountant plumber
		babysitter passport jab vaccine prescription bill form alarm reminder account
		subscription membership insurance bank shop library
		friseur termin zahnarzt zahnarztin arzt arztin therapeutin therapeut`},
	{cAnchor, `
		today tonight tomorrow tonite payday
		after_lunch after_dinner after_breakfast after_work after_school after_the_meeting
		before_bed before_work before_breakfast before_lunch before_dinner
		before_the_meeting at_lunch at_lunchtime this_morning this_afternoon this_evening
		tomorrow_morning tomorrow_afternoon tomorrow_evening tomorrow_night
		when_i_wake_up when_i_get_up when_i_get_home when_i_wake on_my_commute
		during_dinner during_lunch first_thing in_the_morning on_the_way_home
		on_my_way_home on_the_way_to_work on_my_way_to_work
		heute morgen ubermorgen heute_abend nach_dem_mittagessen nach_dem_aufstehen
		nach_dem_fruhstuck nach_dem_abendessen nach_der_arbeit vor_dem_schlafengehen
		vor_dem_fruhstuck heute_fruh`},
	{cWeakAnchor, `
		this_week this_weekend next_week soon later diese_woche am_wochenende
		nachste_woche`},
	{cHorizon, `
		this_year next_year this_quarter this_spring this_summer this_autumn this_winter
		next_spring next_summer next_autumn next_winter by_summer by_the_summer
		by_the_end_of_the_year by_christmas one_day someday some_day eventually
		in_the_long_run before_summer before_the_summer before_the_wedding in_a_year
		dieses_jahr nachstes_jahr bis_zum_sommer irgendwann eines_tages`},
	{cNumber, `
		one two three four five six seven eight nine ten eleven twelve fifteen twenty
		thirty forty fifty hundred thousand a_couple a_few once twice half
		zwei drei vier funf sechs sieben acht neun zehn zwanzig dreissig hundert`},
	{cDeterminer, `
		a an the my our your his her their this that these some another first
		ein eine einen einem einer der die das den dem des mein meine meinen meinem
		meiner unser unsere`},
	{cDefinite, `
		the this that these der die das den dem des`},
	{cTimeWord, `
		at by before after until um bis vor nach`},
	{cWeekday, `
		monday tuesday wednesday thursday friday saturday sunday weekend
		montag dienstag mittwoch donnerstag freitag samstag sonntag wochenende`},
	{cDayPart, `
		lunch dinner breakfast bed bedtime commute shift meeting class
		mittagessen abendessen fruhstuck arbeit`},
	{cStandard, `
		under below within sub without_stopping non_stop nonstop unter ohne_pause`},
	{cNew, `
		new neue neuen neuer`},
}

// plain lists words that carry no class but must not be mistaken for a
// misspelling of one that does ("like" is not "life", "make" is not "bake").
const plain = `
	i me we you it is are was were am do does did go goes going get gets getting have
	has had make makes take takes give keep let like would could should will can must
	with from into onto about for of to in on at up down out off over under and or but
	not no so just really also very too still even only then than what when where who
	why how which while instead without within again back away way own
	old next last other same each every all any both much many most few lot lots
	thing things something someone anything everything nothing people person way part
	find found see look spend start finish create open close end begin keep hold show
	come bring use need want hope wish aim goal plan idea
	myself yourself ourselves well maybe perhaps actually finally honestly basically
	firm near think thought know knew feel felt seem said tell told ask asked went came
	put set let lets say says made done gone seen given taken left kept held brought
	able ready sure true real right wrong hard easy big small long short high low
	early late young open full empty whole half main last least little large
	lunch home house room door desk car bus train road street city town country world
	place office kitchen garden park shop store bank church school
	water food coffee tea wine beer milk bread
	head hand hands face eyes back heart mind body skin hair
	word words letter letters name number money price cost bill
	idea ideas thing stuff point fact case reason problem issue question answer
	story news book paper report list plan project task job work team group
	man woman child children kid baby boy girl guy guys
	mother father parent family friend friends people
	everyone everybody anyone somebody nobody myself himself herself themselves
	again already almost alone along among around because before behind below
	beside between beyond during either enough ever except far fast here less
	though through till toward towards until upon usually whether yet
	thin think thinking
	morning afternoon evening night week month year day days
	ich du er sie es wir ihr und oder aber nicht mit von zu fur auf aus bei ist sind
	mal gern gerne mochte will werde sollte muss wurde mehr ziel machen gehen habe`

// numberWord reports whether w counts something ("three", "12", "a couple").
func numberWord(w string, c class) bool {
	if c&cNumber != 0 {
		return true
	}
	for _, r := range w {
		if r < '0' || r > '9' {
			return false
		}
	}
	return w != ""
}

// clockTime reports whether w reads as a time of day: "7", "6:30", "noon".
func clockTime(w string) bool {
	if w == "noon" || w == "midnight" {
		return true
	}
	if strings.Contains(w, ":") {
		return true
	}
	return numberWord(w, 0) && len(w) <= 2
}
