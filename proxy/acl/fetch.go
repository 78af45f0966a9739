package acl

import (
	"strconv"
	"strings"
)

// smpType is the type of the value a fetch produces, which selects the
// default match method (configuration.txt §7.1).
type smpType uint8

const (
	tBool smpType = iota + 1
	tInt
	tStr
	tIP
	tMeth // the method: a known method or its raw text (haproxy SMP_T_METH)
)

// fetchID names a sample fetch. New fetches add an ID here, a row in
// fetches and a case in expr.eval.
type fetchID uint8

const (
	fTrue      fetchID = iota + 1 // always_true
	fFalse                        // always_false
	fProtoHTTP                    // req.proto_http
	fPath                         // path
	fURL                          // url
	fQuery                        // query
	fURLParam                     // url_param, urlp
	fHdr                          // req.hdr, hdr: comma-separated values
	fFhdr                         // req.fhdr: full field values
	fHdrCnt                       // req.hdr_cnt, hdr_cnt
	fFhdrCnt                      // req.fhdr_cnt
	fHdrVal                       // req.hdr_val, hdr_val
	fMethod                       // method
	fSrc                          // src
	fSSL                          // ssl_fc
	fVer                          // req.ver, req_ver
	fHTTPAuth                     // http_auth(userlist)
)

// argKind is the shape of a fetch's arguments between parentheses.
type argKind uint8

const (
	argNone     argKind = iota
	argHdr              // [name[,occ]]
	argHdrName          // [name]
	argParam            // [name[,delim]]
	argUserlist         // name (required)
)

type fetchDef struct {
	id   fetchID
	typ  smpType
	args argKind
}

// fetches are the sample fetch keywords usable as ACL criteria, with
// haproxy 2.6's names and deprecated aliases.
var fetches = map[string]fetchDef{
	"always_true":    {fTrue, tBool, argNone},
	"always_false":   {fFalse, tBool, argNone},
	"req.proto_http": {fProtoHTTP, tBool, argNone},
	"path":           {fPath, tStr, argNone},
	"url":            {fURL, tStr, argNone},
	"query":          {fQuery, tStr, argNone},
	"url_param":      {fURLParam, tStr, argParam},
	"urlp":           {fURLParam, tStr, argParam},
	"req.hdr":        {fHdr, tStr, argHdr},
	"hdr":            {fHdr, tStr, argHdr},
	"req.fhdr":       {fFhdr, tStr, argHdr},
	"req.hdr_cnt":    {fHdrCnt, tInt, argHdrName},
	"hdr_cnt":        {fHdrCnt, tInt, argHdrName},
	"req.fhdr_cnt":   {fFhdrCnt, tInt, argHdrName},
	"req.hdr_val":    {fHdrVal, tInt, argHdr},
	"hdr_val":        {fHdrVal, tInt, argHdr},
	"method":         {fMethod, tMeth, argNone},
	"src":            {fSrc, tIP, argNone},
	"ssl_fc":         {fSSL, tBool, argNone},
	"req.ver":        {fVer, tStr, argNone},
	"req_ver":        {fVer, tStr, argNone},
	"http_auth":      {fHTTPAuth, tBool, argUserlist},
}

// derivBases are the fetches that have ACL derivatives NAME_beg, NAME_dir,
// NAME_dom, NAME_end, NAME_len, NAME_reg, NAME_sub (haproxy http_acl.c).
var derivBases = map[string]bool{"path": true, "url": true, "hdr": true, "urlp": true}

var derivSuffixes = map[string]matchMethod{
	"beg": mBeg, "dir": mDir, "dom": mDom, "end": mEnd,
	"len": mLen, "reg": mReg, "sub": mSub,
}

// fetchExpr is a parsed criterion: the fetch with its arguments.
type fetchExpr struct {
	kw       string // the keyword as written, without arguments
	def      fetchDef
	name     []byte // header or parameter name, lowercased for headers
	occ      int    // header occurrence: 0 all, >0 from first, <0 from last
	delim    byte   // url_param extra delimiter, 0 for none
	userlist string
}

// parseCriterion parses a criterion word such as "path_beg" or
// "hdr(host,1)" and returns the fetch and the match method it implies.
func parseCriterion(word string) (fetchExpr, matchMethod, error) {
	kw, args, hasArgs := word, "", false
	if i := strings.IndexByte(word, '('); i >= 0 {
		kw = word[:i]
		j := strings.IndexByte(word[i:], ')')
		if j < 0 {
			return fetchExpr{}, 0, errorf(word, "missing closing ')' after arguments to fetch keyword '%s' in '%s'", kw, word)
		}
		args, hasArgs = word[i+1:i+j], true
		if rest := word[i+j+1:]; rest != "" {
			if rest[0] == ',' {
				return fetchExpr{}, 0, errorf(word, "converters are not supported ('%s' in '%s')", rest[1:], word)
			}
			return fetchExpr{}, 0, errorf(word, "unexpected '%s' after arguments of '%s'", rest, kw)
		}
	} else if i := strings.IndexByte(word, ','); i >= 0 {
		return fetchExpr{}, 0, errorf(word, "converters are not supported ('%s' in '%s')", word[i+1:], word)
	}

	fe := fetchExpr{kw: kw}
	def, ok := fetches[kw]
	var m matchMethod
	if ok {
		m = defaultMatch(def.typ)
	} else if i := strings.LastIndexByte(kw, '_'); i > 0 && derivBases[kw[:i]] && derivSuffixes[kw[i+1:]] != 0 {
		def, m = fetches[kw[:i]], derivSuffixes[kw[i+1:]]
	} else {
		return fetchExpr{}, 0, errorf(word, "unknown ACL criterion '%s'", kw)
	}
	fe.def = def
	if err := fe.parseArgs(args, hasArgs); err != nil {
		return fetchExpr{}, 0, err
	}
	return fe, m, nil
}

func defaultMatch(t smpType) matchMethod {
	switch t {
	case tBool:
		return mBool
	case tInt:
		return mInt
	case tIP:
		return mIP
	case tMeth:
		return mMeth
	}
	return mStr
}

func (fe *fetchExpr) parseArgs(args string, hasArgs bool) error {
	var list []string
	if hasArgs {
		list = strings.Split(args, ",")
	}
	tooMany := func(max int) error {
		if len(list) > max {
			return errorf(fe.kw, "fetch method '%s' takes at most %d argument(s), got %d", fe.kw, max, len(list))
		}
		return nil
	}
	switch fe.def.args {
	case argNone:
		if hasArgs {
			return errorf(fe.kw, "fetch method '%s' does not take arguments", fe.kw)
		}
	case argHdr, argHdrName:
		max := 2
		if fe.def.args == argHdrName {
			max = 1
		}
		if err := tooMany(max); err != nil {
			return err
		}
		if len(list) > 0 {
			fe.name = []byte(strings.ToLower(list[0]))
		}
		if len(list) > 1 {
			n, err := strconv.Atoi(list[1])
			if err != nil {
				return errorf(list[1], "invalid occurrence '%s' for fetch method '%s': not an integer", list[1], fe.kw)
			}
			fe.occ = n
		}
	case argParam:
		if err := tooMany(2); err != nil {
			return err
		}
		if len(list) > 0 {
			fe.name = []byte(list[0])
		}
		if len(list) > 1 {
			if len(list[1]) == 0 {
				return errorf(fe.kw, "empty delimiter for fetch method '%s'", fe.kw)
			}
			fe.delim = list[1][0]
		}
	case argUserlist:
		if err := tooMany(1); err != nil {
			return err
		}
		if len(list) == 0 || list[0] == "" {
			return errorf(fe.kw, "fetch method '%s' expects a userlist name", fe.kw)
		}
		fe.userlist = list[0]
	}
	return nil
}
